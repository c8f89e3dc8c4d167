import { directionParam, numberParam, onlyFields } from './params.ts';
import { Timers, type DirectionParam, type TransformFault } from './stage.ts';

/**
 * Pause between the last byte and the RST. On Linux, a reset that arrives while those bytes still
 * sit unread in the client's receive queue is reported to libuv (Node) clients as a clean EOF; after
 * the pause every client sees ECONNRESET.
 */
const RESET_PAUSE_MS = 50;

export interface ResetAfterParams {
  bytes: number;
  direction: DirectionParam;
}

/**
 * reset-after {bytes, direction?}: lets `bytes` through (counted over the chosen directions
 * together, default both), then sends a TCP RST (RESET_PAUSE_MS later). Bytes after the limit are
 * dropped: the client never receives more than `bytes`.
 */
export const resetAfter: TransformFault<ResetAfterParams> = {
  type: 'reset-after',
  parse(p) {
    onlyFields('reset-after', p, ['bytes', 'direction']);
    return {
      bytes: numberParam('reset-after', p, 'bytes', { min: 0, integer: true }),
      direction: directionParam('reset-after', p),
    };
  },
  direction: (p) => p.direction,
  stages: (p, conn) => {
    // One count per connection, shared by both directions.
    let passed = 0;
    let fired = false;
    const timers = new Timers();
    return (forward) => ({
      async write(chunk) {
        if (fired) return;
        const left = p.bytes - passed;
        if (chunk.length < left) {
          passed += chunk.length;
          return forward(chunk);
        }
        fired = true;
        passed = p.bytes;
        if (left > 0) await forward(chunk.subarray(0, left));
        await timers.sleep(RESET_PAUSE_MS);
        conn.note(`connection reset after ${p.bytes} bytes (reset-after)`);
        conn.reset();
      },
      close: () => timers.close(),
    });
  },
};
