// A sequence diagram of trace events drawn as SVG (the same messages the Mermaid text holds):
// one lifeline per participant, one arrow per connect/TLS/request/response, fault and error notes.
import { el } from './svg.js';

const SHOWN = new Set(['connect', 'tls', 'request', 'response', 'fault', 'error']);
const COL_W = 170;
const ROW_H = 20;

export function sequenceSvg(events, { max = 400 } = {}) {
  const shown = events.filter((e) => SHOWN.has(e.kind));
  const rows = shown.slice(0, max);
  const order = [];
  for (const e of rows) for (const p of [e.from, e.to]) if (!order.includes(p)) order.push(p);
  const x = (p) => 20 + COL_W / 2 + order.indexOf(p) * COL_W;
  const height = 50 + ROW_H * (rows.length + (shown.length > max ? 1 : 0)) + 20;
  const svg = el('svg', { width: Math.max(order.length, 1) * COL_W + 40, height, class: 'sequence' });
  el('defs', {}, svg).innerHTML = '<marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#3c4455"/></marker>';
  for (const p of order) {
    el('rect', { x: x(p) - 70, y: 6, width: 140, height: 24, fill: '#e8f0fe', stroke: '#0b57d0', rx: 4 }, svg);
    el('text', { x: x(p), y: 22, 'text-anchor': 'middle' }, svg).textContent = p;
    el('line', { x1: x(p), y1: 30, x2: x(p), y2: height - 10, stroke: '#c3c9d4', 'stroke-dasharray': '4 3' }, svg);
  }
  rows.forEach((e, i) => {
    const y = 50 + i * ROW_H;
    const label = `${e.protocol}:${e.port} ${e.summary}`.slice(0, 70);
    if (e.kind === 'fault' || e.kind === 'error') {
      const left = Math.min(x(e.from), x(e.to)) - 60;
      el('rect', { x: left, y: y - 13, width: Math.abs(x(e.to) - x(e.from)) + 120, height: 16, fill: '#fdecea', stroke: '#b3261e' }, svg);
      el('text', { x: left + 4, y: y - 1, fill: '#b3261e' }, svg).textContent = `${e.kind.toUpperCase()} ${label}`;
      return;
    }
    const [a, b] = e.kind === 'response' ? [e.to, e.from] : [e.from, e.to];
    el('line', { x1: x(a), y1: y, x2: x(b), y2: y, stroke: '#3c4455', 'marker-end': 'url(#arrow)', 'stroke-dasharray': e.kind === 'response' ? '5 3' : '' }, svg);
    el('text', { x: (x(a) + x(b)) / 2, y: y - 4, 'text-anchor': 'middle' }, svg).textContent = label;
  });
  if (shown.length > max) el('text', { x: 20, y: 50 + rows.length * ROW_H }, svg).textContent = `${shown.length - max} more events: download the JSONL or the Mermaid text`;
  return svg;
}
