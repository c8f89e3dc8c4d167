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

/** Keeps events in memory for tests and the admin API; bounded so a long-running lab cannot grow without limit. */
export class TraceRecorder {
  readonly events: TraceEvent[] = [];
  private readonly unsubscribe: () => void;

  constructor(bus: TraceBus, private readonly limit = 200_000) {
    this.unsubscribe = bus.subscribe((e) => {
      this.events.push(e);
      if (this.events.length > this.limit) this.events.splice(0, this.events.length - this.limit);
    });
  }

  find(q: TraceQuery): TraceEvent[] {
    return this.events.filter((e) => matches(e, q));
  }

  clear(): void {
    this.events.length = 0;
  }

  close(): void {
    this.unsubscribe();
  }
}
