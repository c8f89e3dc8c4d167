import type { TraceEvent } from '../types.ts';

export type TraceInput = Omit<TraceEvent, 'seq' | 'time' | 't'>;
export type TraceListener = (event: TraceEvent) => void;

/** One bus per lab: every hop reports here; sinks subscribe. No module-level state, so labs never mix. */
export class TraceBus {
  private seq = 0;
  private readonly start = performance.now();
  private readonly listeners = new Set<TraceListener>();

  emit(input: TraceInput): TraceEvent {
    const event: TraceEvent = {
      seq: ++this.seq,
      time: new Date().toISOString(),
      t: Math.round((performance.now() - this.start) * 1000) / 1000,
      ...input,
    };
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // A broken sink must never break the hop that reported.
      }
    }
    return event;
  }

  subscribe(listener: TraceListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
