// The page's panels: jobs, faults, the trace table and scenarios. Each talks to the admin API only.
import { sequenceSvg } from './sequence.js';

export async function api(path, init) {
  const res = await fetch(path, init);
  const type = res.headers.get('content-type') ?? '';
  const body = type.includes('json') ? await res.json() : await res.text();
  if (!res.ok) throw new Error(body && body.message ? `${res.status} ${body.code}: ${body.message}` : `${res.status} ${res.statusText}`);
  return body;
}

const postJson = (path, body) => api(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

function cell(tr, text, cls) {
  const td = tr.insertCell();
  td.textContent = text ?? '';
  if (cls) td.className = cls;
  return td;
}

function say(node, text, error = false) {
  node.textContent = text;
  node.classList.toggle('error', error);
}

function parseJsonField(input) {
  const text = input.value.trim();
  if (!text) return undefined;
  const value = JSON.parse(text);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('expected a JSON object');
  return value;
}

const mib = (n) => (typeof n === 'number' ? `${(n / 2 ** 20).toFixed(1)} MiB` : '');

export class JobsPanel {
  constructor(onJobs) {
    this.tbody = document.querySelector('#jobs tbody');
    this.onJobs = onJobs;
    this.jobs = [];
    const form = document.getElementById('job-form');
    const message = document.getElementById('job-message');
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      try {
        const params = { vm: document.getElementById('job-vm').value, ...(parseJsonField(document.getElementById('job-params')) ?? {}) };
        const res = await postJson('/jobs', { jobs: [{ type: document.getElementById('job-type').value, params }] });
        say(message, `queued: ${res.steps.join('; ')}`);
        this.refresh();
      } catch (err) {
        say(message, err.message, true);
      }
    });
    document.getElementById('run-demo').addEventListener('click', async () => {
      try {
        const res = await postJson('/jobs', { plan: 'demo' });
        say(message, `demo plan queued: ${res.accepted} steps`);
      } catch (err) {
        say(message, err.message, true);
      }
    });
  }

  setVms(names) {
    const select = document.getElementById('job-vm');
    select.replaceChildren(...names.map((n) => new Option(n, n)));
    if (names.includes('web01')) select.value = 'web01';
  }

  async refresh() {
    try {
      const { jobs } = await api('/jobs');
      this.jobs = jobs;
      this.render();
      this.onJobs(jobs);
    } catch {
      // The next poll tries again; the stream indicator shows a lost lab.
    }
  }

  render() {
    this.tbody.replaceChildren();
    for (const job of [...this.jobs].reverse()) {
      const tr = this.tbody.insertRow();
      tr.className = `state-${job.state}`;
      tr.dataset.jobId = job.id;
      tr.dataset.state = job.state;
      const r = job.result ?? {};
      cell(tr, job.id);
      cell(tr, job.type);
      cell(tr, JSON.stringify(job.params));
      cell(tr, job.proxyName ?? '');
      cell(tr, job.state, 'state');
      const progress = cell(tr, '');
      progress.innerHTML = `<span class="bar"><i style="width:${job.progress?.percent ?? 0}%"></i></span> `;
      progress.append(`${job.progress?.percent ?? 0}% ${job.progress?.message ?? ''}`);
      cell(tr, mib(r.bytesRead));
      cell(tr, r.blocks !== undefined ? `${r.blocksUploaded ?? '?'}/${r.blocks} sent` : '');
      cell(tr, typeof r.dedupRatio === 'number' ? `${r.dedupRatio.toFixed(1)}x` : '');
      cell(tr, r.target ?? '', 'target');
      cell(tr, job.error?.code ?? '', 'error-class').title = job.error?.message ?? '';
    }
  }
}

export class FaultsPanel {
  constructor(topology, chain) {
    this.chain = chain;
    this.list = document.getElementById('active-faults');
    this.typeSelect = document.getElementById('fault-type');
    this.help = document.getElementById('fault-help');
    const targets = ['*'];
    for (const e of topology.endpoints) {
      if (!targets.includes(e.component)) targets.push(e.component);
      targets.push(`${e.component}:${e.listener}`);
    }
    document.getElementById('fault-target').replaceChildren(...targets.map((t) => new Option(t, t)));
    this.typeSelect.addEventListener('change', () => this.showHelp());
    const message = document.getElementById('fault-message');
    document.getElementById('fault-form').addEventListener('submit', async (ev) => {
      ev.preventDefault();
      try {
        const remaining = document.getElementById('fault-remaining').value;
        const body = { target: document.getElementById('fault-target').value, type: this.typeSelect.value };
        const params = parseJsonField(document.getElementById('fault-params'));
        if (params) body.params = params;
        if (remaining) body.remaining = Number(remaining);
        const fault = await postJson('/faults', body);
        say(message, `set ${fault.type} on ${fault.target} (${fault.id})`);
        this.refresh();
      } catch (err) {
        say(message, err.message, true);
      }
    });
  }

  async loadCatalog() {
    try {
      const { faults } = await api('/faults/catalog');
      this.catalog = faults;
      const groups = new Map();
      for (const f of faults) {
        if (!groups.has(f.family)) groups.set(f.family, document.createElement('optgroup'));
        const group = groups.get(f.family);
        group.label = f.family;
        if (![...group.children].some((o) => o.value === f.type)) group.append(new Option(f.type, f.type));
      }
      this.typeSelect.replaceChildren(...groups.values());
      this.showHelp();
    } catch (err) {
      this.help.textContent = `fault catalog unavailable: ${err.message}`;
    }
  }

  showHelp() {
    const rows = (this.catalog ?? []).filter((f) => f.type === this.typeSelect.value);
    this.help.textContent = rows.map((f) => `${f.type} on ${f.target}; params: ${f.params}; the proxy's reaction: ${f.reaction} (scenario ${f.shownIn})`).join(' | ');
  }

  async refresh() {
    try {
      const { faults } = await api('/faults');
      this.chain.setFaults(faults);
      this.list.replaceChildren(
        ...faults.map((f) => {
          const li = document.createElement('li');
          li.dataset.faultId = f.id;
          li.textContent = `${f.type} on ${f.target}${f.params ? ' ' + JSON.stringify(f.params) : ''}${f.remaining !== undefined ? `, ${f.remaining} left` : ''} `;
          const clear = document.createElement('button');
          clear.textContent = 'Clear';
          clear.addEventListener('click', async () => {
            await api(`/faults/${encodeURIComponent(f.id)}`, { method: 'DELETE' }).catch(() => {});
            this.refresh();
          });
          li.append(clear);
          return li;
        }),
      );
    } catch {
      // The next poll tries again.
    }
  }
}

const MAX_EVENTS = 50_000;
const MAX_ROWS = 300;

export class TracePanel {
  constructor() {
    this.events = [];
    this.tbody = document.querySelector('#trace tbody');
    this.detail = document.getElementById('event-detail');
    this.shown = document.getElementById('trace-shown');
    this.inputs = ['component', 'port', 'protocol', 'text'].map((k) => document.getElementById(`filter-${k}`));
    for (const input of this.inputs) input.addEventListener('input', () => this.render());
    document.getElementById('trace-filter').addEventListener('submit', (ev) => ev.preventDefault());
    this.tbody.addEventListener('click', (ev) => {
      const seq = Number(ev.target.closest('tr')?.dataset.seq);
      const e = this.events.find((x) => x.seq === seq);
      if (e) this.detail.textContent = JSON.stringify(e, null, 2);
    });
    this.jobs = [];
    const jobSelect = document.getElementById('sequence-job');
    document.getElementById('sequence-form').addEventListener('submit', (ev) => {
      ev.preventDefault();
      this.drawJob(this.jobs.find((j) => j.id === jobSelect.value));
    });
  }

  filter() {
    const [component, port, protocol, text] = this.inputs.map((i) => i.value.trim().toLowerCase());
    return (e) =>
      (!component || e.from.toLowerCase().includes(component) || e.to.toLowerCase().includes(component)) &&
      (!port || String(e.port) === port) &&
      (!protocol || String(e.protocol).toLowerCase().includes(protocol)) &&
      (!text || String(e.summary).toLowerCase().includes(text));
  }

  row(e) {
    const tr = document.createElement('tr');
    tr.dataset.seq = e.seq;
    tr.className = `kind-${e.kind}`;
    for (const v of [e.seq, Math.round(e.t), e.kind, e.from, e.to, e.port, e.protocol]) cell(tr, String(v ?? ''));
    cell(tr, e.summary, 'summary');
    return tr;
  }

  render() {
    const match = this.filter();
    const matching = this.events.filter(match);
    this.tbody.replaceChildren(...matching.slice(-MAX_ROWS).reverse().map((e) => this.row(e)));
    this.matching = matching.length;
    this.showCount();
  }

  showCount() {
    this.shown.textContent = `${Math.min(this.matching, MAX_ROWS)} shown of ${this.matching} matching (${this.events.length} kept)`;
  }

  onEvents(batch) {
    this.events.push(...batch);
    if (this.events.length > MAX_EVENTS) this.events.splice(0, this.events.length - MAX_EVENTS);
    const fresh = batch.filter(this.filter());
    this.matching = (this.matching ?? 0) + fresh.length;
    for (const e of fresh.slice(-MAX_ROWS)) this.tbody.prepend(this.row(e));
    while (this.tbody.rows.length > MAX_ROWS) this.tbody.lastElementChild.remove();
    this.showCount();
  }

  setJobs(jobs) {
    this.jobs = jobs.filter((j) => j.claimedAt);
    const select = document.getElementById('sequence-job');
    const current = select.value;
    select.replaceChildren(...this.jobs.map((j) => new Option(`${j.id} ${j.type} ${JSON.stringify(j.params)} (${j.state})`, j.id)));
    if (this.jobs.some((j) => j.id === current)) select.value = current;
  }

  /** The events between the job's claim and its end, as a picture and as Mermaid text. */
  drawJob(job) {
    const box = document.getElementById('sequence');
    const link = document.getElementById('mermaid-link');
    if (!job) return;
    const from = Date.parse(job.claimedAt);
    const to = job.finishedAt ? Date.parse(job.finishedAt) : Infinity;
    const events = this.events.filter((e) => {
      const t = Date.parse(e.time);
      return t >= from && t <= to;
    });
    box.replaceChildren(sequenceSvg(events));
    box.dataset.job = job.id;
    box.dataset.events = String(events.length);
    if (events.length) {
      link.href = `/trace/mermaid?from=${events[0].seq}&to=${events[events.length - 1].seq}`;
      link.download = `${job.id}.mmd`;
      link.hidden = false;
    }
  }
}

export class ScenariosPanel {
  constructor() {
    this.list = document.getElementById('scenarios');
    this.result = document.getElementById('scenario-result');
  }

  async load() {
    try {
      const { scenarios } = await api('/scenarios');
      this.list.replaceChildren(
        ...scenarios.map((s) => {
          const li = document.createElement('li');
          li.dataset.scenario = s.name;
          const run = document.createElement('button');
          run.textContent = 'Run';
          run.addEventListener('click', () => this.run(s.name, run));
          const name = document.createElement('b');
          name.textContent = s.name;
          li.append(run, name, ` ${s.description}`);
          return li;
        }),
      );
    } catch (err) {
      this.list.textContent = `scenarios unavailable: ${err.message}`;
    }
  }

  async run(name, button) {
    button.disabled = true;
    this.result.textContent = `running ${name}…`;
    try {
      this.show(await postJson('/scenarios/run', { scenario: name }));
    } catch (err) {
      this.result.textContent = `${name}: ${err.message}`;
    } finally {
      button.disabled = false;
    }
  }

  show(report) {
    this.result.replaceChildren();
    this.result.dataset.scenario = report.name;
    this.result.dataset.passed = String(report.passed);
    const head = document.createElement('p');
    head.innerHTML = `<b>${report.name}</b>: <span class="${report.passed ? 'passed' : 'failed'}">${report.passed ? 'passed' : `failed (${report.failures})`}</span> in ${(report.ms / 1000).toFixed(1)} s`;
    this.result.append(head);
    const table = document.createElement('table');
    table.className = 'diff';
    const expectations = [...report.steps.flatMap((s) => s.expectations.map((x) => ({ ...x, step: `${s.index + 1}. ${s.type}` }))), ...report.end.map((x) => ({ ...x, step: 'end' }))];
    for (const x of expectations) {
      const tr = table.insertRow();
      tr.className = x.passed ? 'passed' : 'failed';
      cell(tr, x.passed ? '✓' : '✗');
      cell(tr, x.step);
      cell(tr, x.what);
      cell(tr, x.passed ? '' : `expected ${JSON.stringify(x.expected)}, got ${JSON.stringify(x.actual)}`, 'summary');
    }
    this.result.append(table);
  }
}
