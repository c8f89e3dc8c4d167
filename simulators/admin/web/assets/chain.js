// The chain as an SVG: the proxy in the middle, the vSphere side on the left, the data side and the
// guests on the right, one edge per (initiator, server, port). Edges and nodes appear as the trace
// names them, so components that start later (guestossvc on 3542, its plugin on 3545) join by themselves.
import { el } from './svg.js';

const NODE_W = 200;
const ROW_H = 16;
const HOT_MS = 700;

function kindOf(name) {
  if (name === 'proxy' || name === 'admin' || name === 'client') return name;
  for (const k of ['vcenter', 'esxi', 'ntp', 'cloudcache', 'cloud', 'guest']) if (name.startsWith(k)) return k;
  return 'client';
}

const SIDE = { vcenter: 'left', esxi: 'left', ntp: 'left', cloudcache: 'right', cloud: 'right', guest: 'right' };

export class Chain {
  constructor(svg, topology) {
    this.svg = svg;
    this.nodes = new Map();
    this.edges = new Map();
    this.portOfListener = new Map();
    this.faults = [];
    this.node('proxy');
    for (const e of topology.endpoints) {
      this.node(e.component, e.kind).listeners.set(e.realPort, e.protocol);
      this.portOfListener.set(`${e.component}:${e.listener}`, e.realPort);
    }
    for (const e of topology.endpoints) this.edge('proxy', e.component, e.realPort);
    if (this.nodes.has('cloudcache') && this.nodes.has('cloud')) this.edge('cloudcache', 'cloud', 443);
    this.render();
  }

  node(name, kind = kindOf(name)) {
    let n = this.nodes.get(name);
    if (!n) {
      n = { name, kind, side: SIDE[kind] ?? 'center', listeners: new Map() };
      this.nodes.set(name, n);
      this.dirty = true;
    }
    return n;
  }

  edge(from, to, port) {
    const key = `${from}>${to}:${port}`;
    let e = this.edges.get(key);
    if (!e) {
      e = { key, from, to, port, count: 0, last: '', hotUntil: 0 };
      this.edges.set(key, e);
      const target = this.node(to);
      if (!target.listeners.has(port)) target.listeners.set(port, '');
      this.node(from);
      this.dirty = true;
    }
    return e;
  }

  /** A batch of trace events: counts, last operations, lit edges; a new node or edge re-lays the picture once. */
  onEvents(events) {
    const now = performance.now();
    const touched = new Set();
    for (const ev of events) {
      if (ev.kind === 'listen' || !ev.port) continue;
      const from = this.nodes.has(ev.from) || kindOf(ev.from) !== 'client' ? ev.from : 'client';
      const e = this.edge(from, ev.to, ev.port);
      const target = this.nodes.get(ev.to);
      if (target && !target.listeners.get(ev.port) && ev.protocol) target.listeners.set(ev.port, ev.protocol);
      e.count++;
      if (ev.kind === 'request' || ev.kind === 'fault' || ev.kind === 'error' || !e.last) e.last = ev.summary;
      e.hotUntil = now + HOT_MS;
      touched.add(e);
    }
    if (this.dirty) this.render();
    else for (const e of touched) this.paintEdge(e);
    this.scheduleCool();
  }

  /** Active faults: edges into a faulted component (or one listener of it) are drawn red and dashed. */
  setFaults(faults) {
    this.faults = faults;
    for (const e of this.edges.values()) this.paintEdge(e);
    for (const n of this.nodes.values()) n.g?.classList.toggle('faulted', this.faultsOn(n.name).length > 0);
  }

  faultsOn(component, port) {
    return this.faults.filter((f) => {
      if (f.target === '*') return true;
      const [comp, listener] = f.target.split(':');
      if (comp !== component) return false;
      return listener === undefined || port === undefined || this.portOfListener.get(f.target) === port;
    });
  }

  scheduleCool() {
    if (this.coolTimer) return;
    this.coolTimer = setTimeout(() => {
      this.coolTimer = undefined;
      const now = performance.now();
      let more = false;
      for (const e of this.edges.values()) {
        if (e.g?.classList.contains('hot') && e.hotUntil <= now) e.g.classList.remove('hot');
        else if (e.hotUntil > now) more = true;
      }
      if (more) this.scheduleCool();
    }, HOT_MS / 2);
  }

  layout() {
    // Room between the columns for the edge labels, and right of the last one for the cache-to-cloud loop.
    const width = 1400;
    const x = { left: 10, center: 480, right: width - NODE_W - 220 };
    const y = { left: 10, center: 10, right: 10 };
    const order = ['proxy', 'admin', 'client', 'vcenter', 'esxi', 'ntp', 'cloudcache', 'cloud', 'guest'];
    const nodes = [...this.nodes.values()].sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind) || a.name.localeCompare(b.name));
    for (const n of nodes) {
      const h = 26 + ROW_H * Math.max(1, n.listeners.size);
      n.box = { x: x[n.side], y: y[n.side], w: NODE_W, h };
      y[n.side] += h + 16;
    }
    // The proxy and other initiators sit in the middle of the picture's height.
    const height = Math.max(y.left, y.right, y.center) + 10;
    const shift = Math.max(0, (height - y.center) / 2);
    for (const n of nodes) if (n.side === 'center') n.box.y += shift;
    this.svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
    this.svg.style.aspectRatio = `${width} / ${height}`;
  }

  /** Where an edge meets a node: the listener's row for the server, the side facing the other end for the client. */
  anchor(n, port, towards) {
    const b = n.box;
    const ports = [...n.listeners.keys()];
    const row = port === undefined ? -1 : ports.indexOf(port);
    const y = row < 0 ? b.y + b.h / 2 : b.y + 26 + ROW_H * row + ROW_H / 2 - 4;
    const right = towards === 'right' || (towards === undefined && n.side === 'right');
    return { x: right ? b.x + b.w : b.x, y };
  }

  pathOf(e) {
    const a = this.nodes.get(e.from);
    const b = this.nodes.get(e.to);
    if (a === b) {
      const p = this.anchor(b, e.port, 'right');
      return { d: `M ${p.x} ${p.y - 10} c 40 -10 40 20 0 14`, label: { x: p.x + 44, y: p.y, anchor: 'start' } };
    }
    const bLeftOfA = b.box.x + b.box.w / 2 < a.box.x + a.box.w / 2;
    const sameColumn = a.side === b.side && a.side !== 'center';
    const p1 = this.anchor(a, undefined, sameColumn ? 'right' : bLeftOfA ? 'left' : 'right');
    const p2 = this.anchor(b, e.port, sameColumn ? 'right' : bLeftOfA ? 'right' : 'left');
    const dx = sameColumn ? 70 : (p2.x - p1.x) / 2;
    const c1 = { x: p1.x + dx, y: p1.y };
    const c2 = { x: sameColumn ? p2.x + dx : p2.x - dx, y: p2.y };
    const labelRight = sameColumn || bLeftOfA;
    return {
      d: `M ${p1.x} ${p1.y} C ${c1.x} ${c1.y}, ${c2.x} ${c2.y}, ${p2.x} ${p2.y}`,
      label: { x: p2.x + (labelRight ? 6 : -6), y: p2.y - 3, anchor: labelRight ? 'start' : 'end' },
    };
  }

  render() {
    this.dirty = false;
    this.layout();
    this.svg.replaceChildren();
    const edgeLayer = el('g', {}, this.svg);
    const nodeLayer = el('g', {}, this.svg);
    for (const e of this.edges.values()) {
      const { d, label } = this.pathOf(e);
      e.g = el('g', { class: 'edge', 'data-edge': e.key, 'data-from': e.from, 'data-to': e.to, 'data-port': e.port }, edgeLayer);
      el('path', { d }, e.g);
      e.text = el('text', { x: label.x, y: label.y, 'text-anchor': label.anchor }, e.g);
      this.paintEdge(e);
    }
    for (const n of this.nodes.values()) {
      const b = n.box;
      n.g = el('g', { class: `node ${n.kind}`, 'data-node': n.name }, nodeLayer);
      el('rect', { x: b.x, y: b.y, width: b.w, height: b.h }, n.g);
      el('text', { x: b.x + 8, y: b.y + 17, class: 'title' }, n.g).textContent = n.name;
      [...n.listeners.entries()].forEach(([port, protocol], i) => {
        el('text', { x: b.x + 14, y: b.y + 26 + ROW_H * (i + 1) - 4 }, n.g).textContent = `${port} ${protocol}`;
      });
      n.g.classList.toggle('faulted', this.faultsOn(n.name).length > 0);
    }
  }

  paintEdge(e) {
    if (!e.g) return;
    e.g.setAttribute('data-count', String(e.count));
    e.g.classList.toggle('used', e.count > 0);
    e.g.classList.toggle('hot', e.hotUntil > performance.now());
    e.g.classList.toggle('faulted', this.faultsOn(e.to, e.port).length > 0);
    const last = e.last.length > 30 ? `${e.last.slice(0, 29)}…` : e.last;
    e.text.textContent = '';
    el('tspan', { class: 'count' }, e.text).textContent = `${e.port} ×${e.count}`;
    if (last) el('tspan', { class: 'last', dx: 4 }, e.text).textContent = last;
  }
}
