import { directionParam, numberParam, onlyFields } from './params.ts';
import type { ByteStage, DirectionParam, Forward, TransformFault } from './stage.ts';

export interface LatencyParams {
  ms: number;
  jitterMs: number;
  direction: DirectionParam;
}

/**
 * latency {ms, jitterMs?, direction?}: every chunk is held `ms` (± up to `jitterMs`) before it
 * moves on. Chunks keep their order and are not serialised behind each other, so throughput is
 * unchanged: it behaves like a long link, not a slow one.
 */
export const latency: TransformFault<LatencyParams> = {
  type: 'latency',
  parse(p) {
    onlyFields('latency', p, ['ms', 'jitterMs', 'direction']);
    return {
      ms: numberParam('latency', p, 'ms', { min: 0, max: 600_000 }),
      jitterMs: numberParam('latency', p, 'jitterMs', { min: 0, max: 600_000, default: 0 }),
      direction: directionParam('latency', p),
    };
  },
  direction: (p) => p.direction,
  stages: (p) => (forward) => delayStage(forward, () => Math.max(0, p.ms + (Math.random() * 2 - 1) * p.jitterMs)),
};

function delayStage(forward: Forward, delayMs: () => number): ByteStage {
  const queue: { due: number; chunk: Buffer }[] = [];
  let lastDue = 0;
  let timer: NodeJS.Timeout | undefined;
  let drained: (() => void)[] = [];

  // One timer for the head of the queue; it re-checks the clock so a timer that fires early never shortens the delay.
  const arm = () => {
    if (timer || queue.length === 0) return;
    timer = setTimeout(drain, Math.max(0, Math.ceil(queue[0]!.due - performance.now())));
  };
  const drain = () => {
    timer = undefined;
    while (queue.length && queue[0]!.due <= performance.now()) void forward(queue.shift()!.chunk);
    if (queue.length === 0) {
      for (const done of drained) done();
      drained = [];
    }
    arm();
  };
  return {
    write(chunk) {
      lastDue = Math.max(performance.now() + delayMs(), lastDue);
      queue.push({ due: lastDue, chunk });
      arm();
    },
    flush: () => (queue.length === 0 ? Promise.resolve() : new Promise((resolve) => drained.push(resolve))),
    close() {
      clearTimeout(timer);
      queue.length = 0;
    },
  };
}
