import { startLab, type Lab, type LabOptions } from '../simulators/lab.ts';
import { BackupProxy } from '../proxy/backup-proxy.ts';
import { proxyConfigFor, type ProxyConfig } from '../proxy/config.ts';
import type { RunState } from './context.ts';
import { checkEnd, checkStep, type ExpectationResult } from './expectations.ts';
import { loadScenario } from './loader.ts';
import { runStep } from './steps.ts';
import type { Scenario, ScenarioFault, Step } from './types.ts';

export interface StepReport {
  index: number;
  id?: string;
  type: Step['type'];
  status: 'succeeded' | 'failed';
  ms: number;
  error?: { errorClass: string; message: string };
  job?: { id: string; state: string };
  result?: Record<string, unknown>;
  expectations: ExpectationResult[];
  passed: boolean;
}

export interface ScenarioReport {
  name: string;
  description: string;
  file?: string;
  passed: boolean;
  /** Failed expectations, steps and end together. */
  failures: number;
  ms: number;
  steps: StepReport[];
  end: ExpectationResult[];
  /** Things the runner adapted (a running lab cannot change its seed or size). */
  notes: string[];
}

export interface RunOptions {
  /** Run in this lab (the admin API's) instead of starting one; the scenario's lab shape then only steers the proxy. */
  lab?: Lab;
  /** Extra options for the lab the runner starts (pkiDir, addressBlock, a trace bus to export...). */
  labOptions?: LabOptions;
  /** Called as each step ends (progress for the CLI). */
  onStep?: (step: StepReport) => void;
}

/** Runs a scenario (object, file path or bundled name): lab, proxy, fault windows, steps, expectations. */
export async function runScenario(input: Scenario | string, options: RunOptions = {}): Promise<ScenarioReport> {
  let file: string | undefined;
  let scenario: Scenario;
  if (typeof input === 'string') ({ scenario, file } = await loadScenario(input));
  else scenario = input;
  const started = performance.now();
  const notes: string[] = [];
  const own = !options.lab;
  const lab = options.lab ?? (await startLab({ ...labOptionsOf(scenario), ...options.labOptions }));
  if (!own) notes.push(...sharedLabNotes(scenario));
  // A cloud activates each proxy name once: every run in a shared lab joins the pool under its own name.
  const proxy = new BackupProxy({ ...proxyConfigOf(scenario, lab), ...(own ? {} : { name: `scenario-${scenario.name}-${nextRun(lab)}` }) });
  const state: RunState = { lab, proxy, byId: new Map(), sourceDisks: new Map(), transactions: new Map(), faultIds: new Set() };
  const firstSeq = (lab.recorder.last()?.seq ?? 0) + 1;
  const steps: StepReport[] = [];
  try {
    for (const [index, step] of scenario.steps.entries()) {
      for (const f of scenario.faults ?? []) if (f.from ? f.from === step.id : index === 0) setFault(state, scenario, f);
      const outcome = await runStep(state, step, index);
      for (const f of scenario.faults ?? []) if (f.until && f.until === step.id) lab.faults.clear(faultId(scenario, f));
      const expectations = checkStep(state, step, outcome);
      const report: StepReport = {
        index,
        id: step.id,
        type: step.type,
        status: outcome.status,
        ms: outcome.ms,
        error: outcome.error,
        job: outcome.job,
        result: summarize(outcome.result),
        expectations,
        passed: expectations.every((e) => e.passed),
      };
      steps.push(report);
      options.onStep?.(report);
    }
    const end = checkEnd(scenario.expect, lab.recorder.find({ since: firstSeq - 1 }));
    const failures = steps.reduce((n, s) => n + s.expectations.filter((e) => !e.passed).length, 0) + end.filter((e) => !e.passed).length;
    return { name: scenario.name, description: scenario.description, file, passed: failures === 0, failures, ms: Math.round(performance.now() - started), steps, end, notes };
  } finally {
    for (const id of state.faultIds) lab.faults.clear(id);
    proxy.close();
    if (own) await lab.stop();
  }
}

const runs = new WeakMap<Lab, number>();
function nextRun(lab: Lab): number {
  const n = (runs.get(lab) ?? 0) + 1;
  runs.set(lab, n);
  return n;
}

function faultId(scenario: Scenario, f: ScenarioFault): string {
  return f.id ?? `${scenario.name}-${(scenario.faults ?? []).indexOf(f)}`;
}

function setFault(state: RunState, scenario: Scenario, f: ScenarioFault): void {
  const { from: _from, until: _until, ...spec } = f;
  state.faultIds.add(state.lab.faults.set({ ...spec, id: faultId(scenario, f), params: f.params ?? {} }).id);
}

export function labOptionsOf(s: Scenario): LabOptions {
  const l = s.lab ?? {};
  return { seed: l.seed, vms: l.vms, hosts: l.hosts, singleHost: l.singleHost, without: l.without, lockout: l.lockout, jobLeaseMs: l.jobLeaseMs, timing: l.timing };
}

/** The proxy's configuration: from the lab's public summary only, shaped by the scenario's choices. */
export function proxyConfigOf(s: Scenario, lab: Lab): ProxyConfig {
  const summary = { caPem: lab.ca.cert, endpoints: () => lab.endpoints(), credentials: lab.credentials, proxyAddress: lab.addressOf('proxy') };
  const base = proxyConfigFor(summary);
  const reg = s.lab?.registration;
  const standaloneHost = reg && reg !== 'vcenter' ? lab.endpoint(reg.standalone, 'https').hostname : undefined;
  const without = new Set(s.lab?.without ?? []);
  const p = s.proxy ?? {};
  return proxyConfigFor(summary, {
    standaloneHost,
    cloudcache: without.has('cloudcache') ? null : base.cloudcache,
    ntp: without.has('ntp') || !base.ntp ? null : { ...base.ntp, ...p.ntp },
    timeouts: { ...base.timeouts, ...p.timeouts },
    ...(p.transport ? { transport: p.transport } : {}),
    ...(p.blockSize ? { blockSize: p.blockSize } : {}),
  });
}

function sharedLabNotes(s: Scenario): string[] {
  const l = s.lab ?? {};
  const ignored = (['seed', 'vms', 'hosts', 'singleHost', 'lockout', 'jobLeaseMs', 'timing'] as const).filter((k) => l[k] !== undefined);
  const notes = ignored.length ? [`ran in the running lab: its ${ignored.join(', ')} were kept (the scenario asked for ${ignored.map((k) => `${k}=${l[k]}`).join(', ')})`] : [];
  if (l.without?.length) notes.push(`ran in the running lab: the proxy was configured without ${l.without.join(', ')}; the components themselves keep running`);
  return notes;
}

/** Results without bulky arrays (extents, block lists), for reports and JSON output. */
function summarize(result: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (!result) return undefined;
  return Object.fromEntries(Object.entries(result).filter(([, v]) => !(Array.isArray(v) && v.length > 20)));
}
