import { directionParam, numberParam, onlyFields } from './params.ts';
import { Timers, type DirectionParam, type TransformFault } from './stage.ts';

export interface SliceParams {
  size: number;
  delayMs: number;
  direction: DirectionParam;
}

/**
 * slice {size, delayMs?, direction?}: re-chunks every write into pieces of at most `size` bytes,
 * `delayMs` apart, so the peer's parser must reassemble frames split anywhere (headers included).
 */
export const slice: TransformFault<SliceParams> = {
  type: 'slice',
  parse(p) {
    onlyFields('slice', p, ['size', 'delayMs', 'direction']);
    return {
      size: numberParam('slice', p, 'size', { min: 1, integer: true }),
      delayMs: numberParam('slice', p, 'delayMs', { min: 0, max: 60_000, default: 0 }),
      direction: directionParam('slice', p),
    };
  },
  direction: (p) => p.direction,
  stages: (p) => (forward) => {
    const timers = new Timers();
    return {
      async write(chunk) {
        for (let off = 0; off < chunk.length; off += p.size) {
          if (off > 0 && p.delayMs > 0) await timers.sleep(p.delayMs);
          await forward(chunk.subarray(off, off + p.size));
        }
      },
      close: () => timers.close(),
    };
  },
};
