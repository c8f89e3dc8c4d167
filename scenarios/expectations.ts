import type { TraceEvent } from '../simulators/core/types.ts';
import type { RunState, StepOutcome } from './context.ts';
import { defaultInstance, vmOf } from './steps.ts';
import type { FaultExpectation, Range, Step, StepExpect, TraceExpectation } from './types.ts';
import { matches, type TraceQuery } from '../simulators/core/trace/recorder.ts';

/** One checked expectation: what was expected, what happened, and whether they agree. */
export interface ExpectationResult {
  what: string;
  passed: boolean;
  expected: unknown;
  actual: unknown;
}

function check(what: string, expected: unknown, actual: unknown, passed = Object.is(expected, actual)): ExpectationResult {
  return { what, passed, expected, actual };
}

export function inRange(n: number, r: Range): boolean {
  return typeof r === 'number' ? n === r : (r.min === undefined || n >= r.min) && (r.max === undefined || n <= r.max);
}

export function rangeText(r: Range): string {
  if (typeof r === 'number') return String(r);
  if (r.min !== undefined && r.max !== undefined) return `${r.min}..${r.max}`;
  return r.min !== undefined ? `>= ${r.min}` : `<= ${r.max}`;
}

/** Every expectation of a step against its outcome; a step without any is expected to succeed. */
export function checkStep(state: RunState, step: Step, outcome: StepOutcome): ExpectationResult[] {
  const x: StepExpect = step.expect ?? {};
  const want = x.errorClass || x.message ? 'failed' : (x.outcome ?? 'succeeded');
  const out: ExpectationResult[] = [];
  const errText = outcome.error ? `failed (${outcome.error.errorClass}): ${outcome.error.message}` : 'succeeded';
  out.push(check('outcome', want, outcome.status === want ? want : errText, outcome.status === want));
  if (x.errorClass) out.push(check('errorClass', x.errorClass, outcome.error?.errorClass ?? '(no error)'));
  if (x.message) {
    const msg = outcome.error?.message ?? '(no error)';
    out.push(check('message', `/${x.message}/`, msg, new RegExp(x.message).test(msg)));
  }
  const r = outcome.result ?? {};
  const has = outcome.status === 'succeeded';
  if (x.kind) {
    const fellBack = Array.isArray(r.fullFallbacks) && r.fullFallbacks.length > 0;
    out.push(check('kind', x.kind, has ? (fellBack ? 'fell-back' : r.kind) : '(no result)'));
  }
  for (const field of ['blocksUploaded', 'blocks', 'nfcResumes'] as const) {
    const want = x[field];
    if (want === undefined) continue;
    const n = r[field];
    out.push(check(field, rangeText(want), typeof n === 'number' ? n : '(no result)', typeof n === 'number' && inRange(n, want)));
  }
  if (x.target) out.push(check('target', x.target, r.target ?? '(no result)'));
  if (x.quiesced !== undefined) out.push(check('quiesced', x.quiesced, r.quiesced ?? '(no result)'));
  if (x.probe) out.push(check('probe', x.probe, (r.probe as { state?: string } | undefined)?.state ?? '(no result)'));
  if (x.chain) {
    const chain = Array.isArray(r.chain) ? (r.chain as { type: string }[]).map((c) => c.type) : '(no result)';
    out.push(check('chain', x.chain.join(' -> '), Array.isArray(chain) ? chain.join(' -> ') : chain));
  }
  if (x.checksum) out.push(checksumCheck(state, step, outcome));
  if (x.log) {
    const re = new RegExp(x.log);
    const hit = outcome.logs.find((l) => re.test(l.message));
    out.push(check('log', `/${x.log}/`, hit ? hit.message : lastLines(outcome.logs.map((l) => `${l.level}: ${l.message}`)), !!hit));
  }
  for (const t of x.trace ?? []) out.push(traceCheck(t, outcome.trace));
  return out;
}

/** Scenario-level expectations over the whole run's trace. */
export function checkEnd(expect: { trace?: TraceExpectation[]; faults?: FaultExpectation[] } | undefined, trace: TraceEvent[]): ExpectationResult[] {
  const out = (expect?.trace ?? []).map((t) => traceCheck(t, trace));
  for (const f of expect?.faults ?? []) {
    const fired = trace.filter((e) => e.kind === 'fault' && faultTypeOf(e) === f.type && (!f.target || e.to === f.target || e.to === f.target.split(':')[0]));
    const seen = [...new Set(trace.filter((e) => e.kind === 'fault').map((e) => `${faultTypeOf(e) ?? e.summary} on ${e.to}`))];
    out.push(check(`fault ${f.type} fired${f.target ? ` on ${f.target}` : ''}`, 'at least once', fired.length ? `${fired.length} time(s)` : seen.length ? `never (faults seen: ${seen.join(', ')})` : 'never (no fault events)', fired.length > 0));
  }
  return out;
}

function faultTypeOf(e: TraceEvent): string | undefined {
  const f = (e.data as { fault?: { type?: string } } | undefined)?.fault;
  if (f?.type) return f.type;
  return /^(?:TLS fault |connection fault )?([a-z0-9]+(?:-[a-z0-9]+)+|refuse|blackhole|latency|bandwidth|slice)\b/.exec(e.summary)?.[1];
}

/** The expectation as a trace query (its summary is a pattern), compiled once per check. */
function traceQuery(t: TraceExpectation): TraceQuery {
  return { kind: t.kind, from: t.from, to: t.to, port: t.port, summary: t.summary === undefined ? undefined : new RegExp(t.summary) };
}

export function hopText(t: TraceExpectation | TraceEvent): string {
  const route = `${t.from ?? '*'} -> ${t.to ?? '*'}${t.port !== undefined ? ':' + t.port : ''}`;
  const summary = 'seq' in t ? t.summary : t.summary !== undefined ? `/${t.summary}/` : '';
  return `${t.kind ?? 'any'} ${route} ${summary}`.trim();
}

function traceCheck(t: TraceExpectation, trace: TraceEvent[]): ExpectationResult {
  const q = traceQuery(t);
  const hits = trace.filter((e) => matches(e, q));
  const range: Range = t.absent ? { max: 0 } : (t.count ?? { min: 1 });
  const what = `trace ${t.absent ? 'has no' : 'has'} ${hopText(t)}`;
  const expected = t.absent ? 'no such event' : `${rangeText(range)} matching event(s)`;
  if (inRange(hits.length, range)) return check(what, expected, `${hits.length} matching event(s)`, true);
  // Show what did happen on that route (same kind when one was asked for), which usually explains the miss.
  const near = trace.filter((e) => (t.from === undefined || e.from === t.from) && (t.to === undefined || e.to === t.to) && (t.kind === undefined ? e.kind !== 'listen' : e.kind === t.kind));
  const shown = distinct(hits.length ? hits : near);
  const more = shown.length > 8 ? `\n(${shown.length - 8} more kinds of event)` : '';
  const actual = hits.length
    ? `${hits.length} matching event(s):\n${shown.slice(0, 8).join('\n')}${more}`
    : near.length
      ? `none; on that route instead:\n${shown.slice(0, 8).join('\n')}${more}`
      : 'none; no events on that route';
  return check(what, expected, actual, false);
}

/**
 * The end-to-end check, made on the simulator side independently of what the proxy reported:
 * a restored database against the source database at the same LSN, a DR VM's disks against the
 * source disks at the moment of the backup.
 */
function checksumCheck(state: RunState, step: Step, outcome: StepOutcome): ExpectationResult {
  const r = outcome.result;
  if (!r) return check('checksum', 'equal', `(no result: ${outcome.error?.message ?? 'step failed'})`, false);
  if (step.type === 'sql-restore') {
    const server = state.lab.world.sql.server(step.vm)!;
    const instance = step.instance ?? defaultInstance(server.instances.keys());
    const target = server.database(instance, String(r.targetDatabase));
    const source = server.database(instance, step.database);
    if (!target || !source) return check('checksum', 'equal', `database ${instance}\\${!target ? r.targetDatabase : step.database} not found in the guest`, false);
    const at = step.pointInTime && 'after' in step.pointInTime ? state.transactions.get(step.pointInTime.after)!.lastLsn : BigInt(String(r.restoredLsn));
    const want = source.checksum(at);
    const got = target.checksum();
    return check(`checksum of ${r.targetDatabase} = ${step.database} at LSN ${at}`, want, got);
  }
  if (step.type === 'dr-restore') {
    const source = state.sourceDisks.get(String(r.manifestId));
    if (!source) return check('checksum', 'equal', `the backup ${r.manifestId} was not taken in this scenario, so its source disks are unknown`, false);
    const restored = state.lab.world.disks.forVm(vmOf(state.lab, String(r.moref)).moid).map((d) => d.checksum());
    const want = source.map((d) => d.checksum.slice(0, 16)).join(', ');
    const got = restored.map((c) => c.slice(0, 16)).join(', ');
    return check(`disk checksums of ${r.vm} = source at backup`, want, got);
  }
  return check('checksum', 'equal', `a ${step.type} step has no checksum to compare`, false);
}

/** Events as text, repeats folded ("x3"), hashes and ids shortened so similar requests collapse. */
function distinct(events: TraceEvent[]): string[] {
  const counts = new Map<string, number>();
  for (const e of events) {
    const text = hopText(e).replace(/[0-9a-f]{16,}/gi, '…').replace(/\b\d+\.\d+\.\d+\.\d+:\d+\b/g, 'ADDR');
    counts.set(text, (counts.get(text) ?? 0) + 1);
  }
  return [...counts].map(([text, n]) => (n > 1 ? `${text} (x${n})` : text));
}

function lastLines(lines: string[]): string {
  return lines.length ? `no matching line; last lines:\n${lines.slice(-5).join('\n')}` : 'no log lines';
}
