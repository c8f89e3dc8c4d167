import type { TraceEvent } from '../../simulators/core/types.ts';

const SHOWN = new Set(['tls', 'request', 'fault', 'error']);

/** Hashes, ids and offsets make every request look new; folding them lets repeats collapse. */
export function normalizeSummary(summary: string): string {
  return summary
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, '…')
    .replace(/[0-9a-f]{16,}/gi, '…')
    .replace(/\b(job|snap|session|pc|view)[-\[][0-9a-f-]+\]?/gi, '$1-…')
    .replace(/\b\d{3,}\b/g, 'N')
    .replace(/[?&][^ ]*/g, '');
}

export function formatEvent(e: TraceEvent): string {
  const hop = `${e.from} -> ${e.to}`.padEnd(34);
  const port = `${e.port}`.padStart(4);
  return `  +${(e.t / 1000).toFixed(3).padStart(7)}s  ${hop} ${port}  ${e.protocol.padEnd(9)} ${e.kind === 'request' || e.kind === 'tls' ? '' : e.kind.toUpperCase() + ' '}${e.summary}`;
}

/**
 * The demo's live timeline: one line per new kind of hop (who -> whom, port, protocol, what); a
 * repeat of the same hop and request shape is counted, not printed, and the counts are reported at
 * the end so nothing is hidden.
 */
export class Timeline {
  private readonly seen = new Map<string, number>();

  constructor(private readonly print: (line: string) => void) {}

  onEvent(e: TraceEvent): void {
    if (!SHOWN.has(e.kind)) return;
    const key = `${e.kind}|${e.from}|${e.to}|${e.port}|${normalizeSummary(e.summary)}`;
    const n = (this.seen.get(key) ?? 0) + 1;
    this.seen.set(key, n);
    if (n === 1 || e.kind === 'fault' || e.kind === 'error') this.print(formatEvent(e));
  }

  /** Hops that repeated, with how many times. */
  repeats(): { hop: string; count: number }[] {
    return [...this.seen.entries()]
      .filter(([, n]) => n > 1)
      .map(([key, count]) => {
        const [kind, from, to, port, summary] = key.split('|');
        return { hop: `${from} -> ${to}:${port} ${kind === 'request' ? '' : kind + ' '}${summary}`, count };
      })
      .sort((a, b) => b.count - a.count);
  }
}
