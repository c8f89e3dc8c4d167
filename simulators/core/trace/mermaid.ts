import type { TraceEvent } from '../types.ts';

const SHOWN = new Set(['connect', 'tls', 'request', 'response', 'fault', 'error']);

function participant(name: string): string {
  return name.replace(/[^A-Za-z0-9_]/g, '_');
}

function escapeText(text: string): string {
  // Mermaid treats ';' and '#' specially in messages.
  return text.replace(/[;#]/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 120);
}

/** Renders the trace as a Mermaid sequenceDiagram: one arrow per request/response, notes for faults. */
export function toMermaid(events: TraceEvent[], opts: { maxEvents?: number } = {}): string {
  const shown = events.filter((e) => SHOWN.has(e.kind));
  const limit = opts.maxEvents ?? 2000;
  const order: string[] = [];
  for (const e of shown) for (const p of [e.from, e.to]) if (!order.includes(p)) order.push(p);
  const lines = ['sequenceDiagram'];
  for (const p of order) lines.push(`  participant ${participant(p)} as ${p}`);
  for (const e of shown.slice(0, limit)) {
    const from = participant(e.from);
    const to = participant(e.to);
    const label = escapeText(`${e.protocol}:${e.port} ${e.summary}`);
    switch (e.kind) {
      case 'response':
        lines.push(`  ${to}-->>${from}: ${label}`);
        break;
      case 'fault':
      case 'error':
        lines.push(`  Note over ${from},${to}: ${e.kind.toUpperCase()} ${label}`);
        break;
      default:
        lines.push(`  ${from}->>${to}: ${label}`);
    }
  }
  if (shown.length > limit) lines.push(`  Note over ${participant(order[0] ?? 'lab')}: ${shown.length - limit} more events in the JSONL trace`);
  return lines.join('\n') + '\n';
}
