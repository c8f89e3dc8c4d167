import type { Lab } from '../simulators/lab.ts';
import { matches, type TraceQuery } from '../simulators/core/trace/recorder.ts';
import type { TraceEvent } from '../simulators/core/types.ts';

export type { TraceQuery };

/** Recorded events matching a query (kind, from, to, port, protocol, summary as string or RegExp), optionally after a seq. */
export function findEvents(lab: Lab, query: TraceQuery = {}): TraceEvent[] {
  return lab.recorder.find(query);
}

/** The seq of the latest event: pass it as `since` to look only at what happens next. */
export function traceMark(lab: Lab): number {
  return lab.recorder.last()?.seq ?? 0;
}

/**
 * The first event matching a query, already recorded (after `since`) or still to come; rejects
 * after `timeoutMs` (default 10 s) with the query and the last events seen, never hangs.
 */
export function waitForEvent(lab: Lab, query: TraceQuery, timeoutMs = 10_000): Promise<TraceEvent> {
  const already = findEvents(lab, query)[0];
  if (already) return Promise.resolve(already);
  const { since: _since, ...q } = query;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      unsubscribe();
      const last = lab.recorder.events.slice(-5).map((e) => `${e.kind} ${e.from} -> ${e.to}:${e.port} ${e.summary}`);
      reject(new Error(`no trace event matching ${describeQuery(q)} within ${timeoutMs} ms; last events:\n${last.join('\n')}`));
    }, timeoutMs);
    const unsubscribe = lab.trace.subscribe((e) => {
      if (!matches(e, q)) return;
      clearTimeout(timer);
      unsubscribe();
      resolve(e);
    });
  });
}

/** "request proxy -> cloud /PUT/" style text for messages. */
export function describeQuery(q: TraceQuery): string {
  const parts = Object.entries(q).map(([k, v]) => `${k}=${v instanceof RegExp ? v : JSON.stringify(v)}`);
  return `{${parts.join(', ')}}`;
}
