// The live view of a running lab: the trace arrives over the admin API's SSE stream and is applied in
// batches (one DOM update per tick, however many events came), so a multi-GiB backup cannot swamp the page.
import { Chain } from './chain.js';
import { api, FaultsPanel, JobsPanel, ScenariosPanel, TracePanel } from './panels.js';

const FLUSH_MS = 100;

async function main() {
  const topology = await api('/topology');
  document.getElementById('lab-line').textContent = `lab ${topology.addressBlock}.x, ${topology.portMode} ports, ${topology.endpoints.length} listeners`;
  const chain = new Chain(document.getElementById('chain'), topology);
  const trace = new TracePanel();
  const jobs = new JobsPanel((list) => trace.setJobs(list));
  const faults = new FaultsPanel(topology, chain);
  const scenarios = new ScenariosPanel();
  api('/inventory')
    .then((inv) => jobs.setVms(inv.vms.map((v) => v.name)))
    .catch(() => jobs.setVms([]));
  faults.loadCatalog();
  faults.refresh();
  scenarios.load();
  jobs.refresh();

  const counter = document.getElementById('event-count');
  const streamState = document.getElementById('stream-state');
  let pending = [];
  let count = 0;
  let jobsDirty = false;
  let faultsDirty = false;
  // since=0: the events recorded before the page opened come first, then live ones.
  const stream = new EventSource('/trace/stream?since=0');
  stream.onopen = () => (streamState.textContent = 'stream: live');
  stream.onerror = () => (streamState.textContent = 'stream: reconnecting');
  stream.onmessage = (m) => pending.push(JSON.parse(m.data));

  setInterval(() => {
    if (pending.length === 0) return;
    const batch = pending;
    pending = [];
    count += batch.length;
    counter.textContent = String(count);
    counter.dataset.lastSeq = String(batch[batch.length - 1].seq);
    chain.onEvents(batch);
    trace.onEvents(batch);
    for (const e of batch) {
      if (e.summary && e.summary.includes('/jobs')) jobsDirty = true;
      if (e.kind === 'fault') faultsDirty = true;
    }
  }, FLUSH_MS);
  // Jobs and faults change through calls the page may not make itself (a test suite, another proxy): poll, and sooner when the trace hints.
  let ticks = 0;
  setInterval(() => {
    ticks++;
    if (jobsDirty || ticks % 4 === 0) jobs.refresh();
    if (faultsDirty || ticks % 8 === 0) faults.refresh();
    jobsDirty = faultsDirty = false;
  }, 250);
}

main().catch((err) => {
  document.getElementById('lab-line').textContent = `cannot read the lab: ${err.message}`;
});
