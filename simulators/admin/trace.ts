import type { TraceBus } from '../core/trace/bus.ts';
import { matches, type TraceQuery, type TraceRecorder } from '../core/trace/recorder.ts';
import type { TraceEvent, TraceKind } from '../core/types.ts';
import { badRequest } from './errors.ts';

const TRACE_KINDS: readonly TraceKind[] = ['listen', 'connect', 'tls', 'request', 'response', 'bytes', 'close', 'fault', 'error', 'note'];

/** The filters the admin API takes: a TraceQuery limited to kind, from, to and since. */
export type TraceFilter = Pick<TraceQuery, 'kind' | 'from' | 'to' | 'since'>;

/** `?kind=fault,error&from=proxy&to=vcenter&since=120`; `Last-Event-ID` (SSE reconnect) acts as `since`. */
export function parseTraceFilter(url: URL, lastEventId?: string | null): TraceFilter {
  const q = url.searchParams;
  for (const name of q.keys()) if (!['kind', 'from', 'to', 'since'].includes(name)) throw badRequest(`unknown query parameter "${name}" (filters: kind, from, to, since)`);
  const filter: TraceFilter = {};
  const kind = q.get('kind');
  if (kind) {
    const kinds = kind.split(',').map((k) => k.trim());
    const bad = kinds.filter((k) => !TRACE_KINDS.includes(k as TraceKind));
    if (bad.length) throw badRequest(`unknown trace kind ${bad.map((k) => `"${k}"`).join(', ')} (kinds: ${TRACE_KINDS.join(', ')})`);
    filter.kind = kinds as TraceKind[];
  }
  if (q.get('from')) filter.from = q.get('from')!;
  if (q.get('to')) filter.to = q.get('to')!;
  const since = q.get('since') ?? lastEventId ?? undefined;
  if (since !== undefined && since !== null) {
    if (!/^\d+$/.test(since)) throw badRequest(`since must be a trace sequence number (a whole number), got "${since}"`);
    filter.since = Number(since);
  }
  return filter;
}

export function traceJsonl(recorder: TraceRecorder, f: TraceFilter): string {
  return recorder
    .find(f)
    .map((e) => JSON.stringify(e) + '\n')
    .join('');
}

const sseEvent = (e: TraceEvent) => `id: ${e.seq}\ndata: ${JSON.stringify(e)}\n\n`;

/** How many unread events a slow client may fall behind before its stream is ended. */
const MAX_BACKLOG = 100_000;

/**
 * A Server-Sent Events body: recorded events after `since` first (when given), then live events, one SSE event
 * each (`id` = trace seq, so EventSource reconnects resume), and a comment every `keepAliveMs` so
 * proxies and clients see the stream alive. `register` receives a closer the admin calls on stop.
 */
export function traceEventStream(
  bus: TraceBus,
  recorder: TraceRecorder,
  f: TraceFilter,
  opts: { keepAliveMs: number; register(close: () => void): () => void },
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let cleanup = () => {};
  return new ReadableStream<Uint8Array>({
    start(controller) {
      let open = true;
      const send = (text: string) => {
        if (!open) return;
        if ((controller.desiredSize ?? 0) < -MAX_BACKLOG) {
          controller.enqueue(encoder.encode(': client too slow, stream ended\n\n'));
          return end();
        }
        controller.enqueue(encoder.encode(text));
      };
      const end = () => {
        if (!open) return;
        cleanup();
        controller.close();
      };
      send(`: bpsim trace stream\nretry: 2000\n\n`);
      // History only on request (since / Last-Event-ID): a plain subscription starts with what happens next.
      if (f.since !== undefined) for (const e of recorder.find(f)) send(sseEvent(e));
      const unsubscribe = bus.subscribe((e) => {
        if (matches(e, f)) send(sseEvent(e));
      });
      const keepAlive = setInterval(() => send(': keep-alive\n\n'), opts.keepAliveMs);
      const unregister = opts.register(end);
      cleanup = () => {
        open = false;
        unsubscribe();
        clearInterval(keepAlive);
        unregister();
      };
    },
    cancel() {
      cleanup();
    },
  });
}
