import { directionParam, numberParam, onlyFields } from './params.ts';
import { Timers, type DirectionParam, type TransformFault } from './stage.ts';

export interface BandwidthParams {
  bytesPerSecond: number;
  direction: DirectionParam;
}

/**
 * bandwidth {bytesPerSecond, direction?}: a token bucket per direction. It starts empty and holds
 * at most 50 ms of tokens, so N bytes never take less than N / bytesPerSecond and an idle
 * connection cannot save up a burst.
 */
export const bandwidth: TransformFault<BandwidthParams> = {
  type: 'bandwidth',
  parse(p) {
    onlyFields('bandwidth', p, ['bytesPerSecond', 'direction']);
    return {
      bytesPerSecond: numberParam('bandwidth', p, 'bytesPerSecond', { min: 1, max: 10 * 1024 ** 3 }),
      direction: directionParam('bandwidth', p),
    };
  },
  direction: (p) => p.direction,
  stages: (p) => (forward) => {
    const rate = p.bytesPerSecond;
    const burst = Math.min(64 * 1024, Math.max(1, Math.floor(rate / 20)));
    const timers = new Timers();
    let tokens = 0;
    let at = performance.now();
    const refill = () => {
      const now = performance.now();
      tokens = Math.min(burst, tokens + ((now - at) * rate) / 1000);
      at = now;
    };
    return {
      async write(chunk) {
        for (let off = 0; off < chunk.length; ) {
          const want = Math.min(burst, chunk.length - off);
          refill();
          if (tokens < want) {
            await timers.sleep(Math.ceil(((want - tokens) * 1000) / rate));
            continue;
          }
          tokens -= want;
          await forward(chunk.subarray(off, off + want));
          off += want;
        }
      },
      close: () => timers.close(),
    };
  },
};
