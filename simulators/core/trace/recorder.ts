import type { TraceEvent, TraceKind } from '../types.ts';
import type { TraceBus } from './bus.ts';

export interface TraceQuery {
  kind?: TraceKind | TraceKind[];
  from?: string | RegExp;
  to?: string | RegExp;
  port?: number;
  protocol?: string;
  summary?: string | RegExp;
  /** Only events after this sequence number. */
  since?: number;
}

function matchText(value: string, want: string | RegExp | undefined): boolean {
  if (want === undefined) return true;
  return typeof want === 'string' ? value === want : want.test(value);
}

export function matches(event: TraceEvent, q: TraceQuery): boolean {
  const kinds = q.kind === undefined ? undefined : Array.isArray(q.kind) ? q.kind : [q.kind];
  return (
    (q.since === undefined || event.seq > q.since) &&
    (!kinds || kinds.includes(event.kind)) &&
    matchText(event.from, q.from) &&
    matchText(event.to, q.to) &&
    (q.port === undefined || event.port === q.port) &&
    (q.protocol === undefined || event.protocol === q.protocol) &&
    matchText(event.summary, q.summary)
  );
}

/**
 * Keeps the newest `limit` events in memory for tests and the admin API, so a long-running lab
 * cannot grow without limit. A ring: recording is one slot write however full it is (dropping the
 * oldest by shifting an array made every request of a full trace ~5x slower).
 */
export class TraceRecorder {
  private readonly ring: (TraceEvent | undefined)[];
  /** Index of the oldest event. */
  private head = 0;
  private count = 0;
  private readonly unsubscribe: () => void;

  constructor(bus: TraceBus, readonly limit = 200_000) {
    if (!Number.isInteger(limit) || limit < 1) throw new Error(`trace limit must be a positive whole number, got ${limit}`);
    this.ring = new Array<TraceEvent | undefined>(limit);
    this.unsubscribe = bus.subscribe((e) => this.record(e));
  }

  private record(e: TraceEvent): void {
    if (this.count < this.limit) {
      this.ring[(this.head + this.count++) % this.limit] = e;
    } else {
      this.ring[this.head] = e;
      this.head = (this.head + 1) % this.limit;
    }
  }

  /** How many events are kept now. */
  get size(): number {
    return this.count;
  }

  /** The kept events, oldest first (a copy: safe to keep while the lab goes on). */
  get events(): TraceEvent[] {
    const out = new Array<TraceEvent>(this.count);
    for (let i = 0; i < this.count; i++) out[i] = this.ring[(this.head + i) % this.limit]!;
    return out;
  }

  /** The newest event, without copying the trace. */
  last(): TraceEvent | undefined {
    return this.count === 0 ? undefined : this.ring[(this.head + this.count - 1) % this.limit];
  }

  find(q: TraceQuery): TraceEvent[] {
    const out: TraceEvent[] = [];
    for (let i = 0; i < this.count; i++) {
      const e = this.ring[(this.head + i) % this.limit]!;
      if (matches(e, q)) out.push(e);
    }
    return out;
  }

  clear(): void {
    this.ring.fill(undefined);
    this.head = 0;
    this.count = 0;
  }

  close(): void {
    this.unsubscribe();
  }
}
