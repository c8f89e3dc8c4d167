import { TraceBus } from '../simulators/core/trace/bus.ts';
import { TraceRecorder } from '../simulators/core/trace/recorder.ts';
import { figure, type BenchOptions, type Figure } from './figure.ts';

/** Microseconds per recorded event, into a recorder already holding `prefill` events. */
function usPerEvent(limit: number, prefill: number, events: number): number {
  const bus = new TraceBus();
  const rec = new TraceRecorder(bus, limit);
  const emit = (n: number) => {
    for (let i = 0; i < n; i++) bus.emit({ kind: 'request', from: 'proxy', to: 'cloud', port: 443, protocol: 'https', summary: 'POST /api/v1/blocks' });
  };
  emit(prefill);
  const t0 = performance.now();
  emit(events);
  const us = ((performance.now() - t0) * 1000) / events;
  rec.close();
  return us;
}

/** Recording cost with a full trace (200,000 events, every event drops the oldest) against an empty one. */
export async function benchTraceFigures(opts: BenchOptions): Promise<Figure[]> {
  const limit = 200_000;
  const events = opts.quick ? 50_000 : 200_000;
  // Best of three, the two interleaved: one timing of each swung with the machine's load (1.2-1.8).
  let empty = Infinity;
  let full = Infinity;
  for (let round = 0; round < 3; round++) {
    empty = Math.min(empty, usPerEvent(limit, 0, Math.min(events, limit)));
    full = Math.min(full, usPerEvent(limit, limit, events));
  }
  return [
    figure({ name: 'trace-record-full-200k', value: full, unit: 'µs/event', baseline: empty, baselineName: 'an empty trace', aim: '<= 1.5', note: 'a ring: flat cost (issue 17 point 4: ~5x before)' }),
  ];
}
