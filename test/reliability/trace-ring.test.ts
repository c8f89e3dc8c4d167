import { describe, test, expect, vi, afterEach } from 'vitest';
import { TraceBus } from '../../simulators/core/trace/bus.ts';
import { TraceRecorder } from '../../simulators/core/trace/recorder.ts';

const emit = (bus: TraceBus, n: number) => {
  for (let i = 0; i < n; i++) bus.emit({ kind: 'request', from: 'a', to: i % 2 ? 'cloud' : 'vcenter', port: 443, protocol: 'https', summary: `r${i}` });
};

afterEach(() => vi.restoreAllMocks());

describe('the trace recorder is a ring of the newest N events', () => {
  test('keeps the newest N in order across several wrap-arounds; queries see the same', () => {
    const bus = new TraceBus();
    const rec = new TraceRecorder(bus, 1000);
    emit(bus, 3_517);
    expect(rec.size).toBe(1000);
    expect(rec.events.map((e) => e.seq)).toEqual(Array.from({ length: 1000 }, (_, i) => 2_518 + i));
    expect(rec.last()?.seq).toBe(3_517);
    // The reference: the same filter over the newest 1000 in a plain list.
    const cloud = rec.find({ to: 'cloud', since: 3_000 });
    expect(cloud.map((e) => e.seq)).toEqual(Array.from({ length: 3_517 - 3_000 }, (_, i) => 3_001 + i).filter((s) => (s - 1) % 2 === 1));
    rec.clear();
    expect(rec.events).toEqual([]);
    emit(bus, 3);
    expect(rec.events.map((e) => e.seq)).toEqual([3_518, 3_519, 3_520]);
  });

  test('recording into a full trace moves no other event (flat cost): no splice, shift or copy per event', () => {
    const bus = new TraceBus();
    const rec = new TraceRecorder(bus, 5_000);
    emit(bus, 5_000);
    const spies = (['splice', 'shift', 'slice', 'copyWithin', 'concat'] as const).map((m) => vi.spyOn(Array.prototype, m));
    emit(bus, 20_000);
    for (const s of spies) expect(s, s.getMockName()).not.toHaveBeenCalled();
    vi.restoreAllMocks();
    expect(rec.size).toBe(5_000);
    expect(rec.events[0]!.seq).toBe(20_001);
  });
});
