import { randomBytes } from 'node:crypto';
import type { JobOutcome } from '../proxy/backup-proxy.ts';
import { CloudClient } from '../proxy/clients/cloud/cloud-client.ts';
import { classify } from '../proxy/errors.ts';
import type { LogLine } from '../proxy/events.ts';
import type { Lab } from '../simulators/lab.ts';
import type { VmSpec } from '../simulators/inventory/index.ts';
import { StepSetupError, type RunState, type StepOutcome } from './context.ts';
import type { Step } from './types.ts';

type Done = Pick<StepOutcome, 'status' | 'result' | 'error' | 'job'>;

/** Runs one step and records what it did (status, result or error, proxy log, trace window). */
export async function runStep(state: RunState, step: Step, index: number): Promise<StepOutcome> {
  const { lab, proxy } = state;
  const logs: LogLine[] = [];
  const onLog = (l: LogLine) => logs.push(l);
  proxy.events.on('log', onLog);
  const firstSeq = lastSeq(lab) + 1;
  const started = performance.now();
  lab.trace.emit({ kind: 'note', from: 'scenario', to: 'scenario', port: 0, protocol: 'scenario', summary: `step ${index}${step.id ? ` (${step.id})` : ''}: ${step.type}` });
  let done: Done;
  try {
    done = await execute(state, step);
  } catch (err) {
    // Proxy errors are outcomes; anything else (unknown VM in a world step) is reported the same way.
    const e = err instanceof StepSetupError ? { errorClass: 'scenario', message: err.message } : toError(err);
    done = { status: 'failed', error: e };
  } finally {
    proxy.events.off('log', onLog);
  }
  const trace = lab.recorder.find({ since: firstSeq - 1 });
  const outcome: StepOutcome = { ...done, logs, trace, ms: Math.round(performance.now() - started) };
  if (step.id) state.byId.set(step.id, outcome);
  return outcome;
}

function toError(err: unknown): { errorClass: string; message: string } {
  const e = classify(err);
  return { errorClass: e.errorClass, message: e.message };
}

function lastSeq(lab: Lab): number {
  return lab.recorder.last()?.seq ?? 0;
}

async function execute(state: RunState, step: Step): Promise<Done> {
  const { lab, proxy } = state;
  switch (step.type) {
    case 'vm-backup': {
      const left = step.takeOver ? abandonedJob(state, step.takeOver) : undefined;
      const done = await job(state, step.via, 'vm-backup', { vm: step.vm, mode: step.mode ?? 'auto' }, () => proxy.backupVm({ vm: step.vm, mode: step.mode ?? 'auto' }), left);
      const manifestId = done.result?.manifestId;
      // What the disks held when the backup ran: nothing writes between the snapshot and now but steps.
      if (typeof manifestId === 'string') state.sourceDisks.set(manifestId, lab.world.disks.forVm(vmOf(lab, step.vm).moid).map((d) => ({ key: d.key, checksum: d.checksum() })));
      return done;
    }
    case 'abandon-job':
      return abandonJob(state, step.vm);
    case 'sql-backup': {
      const params = { vm: step.vm, type: step.backup, instance: step.instance, databases: step.databases };
      return job(state, step.via, 'sql-backup', params, () => proxy.backupSql(params));
    }
    case 'sql-restore': {
      let time: string | undefined;
      if (step.pointInTime) time = 'after' in step.pointInTime ? state.transactions.get(step.pointInTime.after)!.lastTime.toISOString() : step.pointInTime.time;
      const params = { vm: step.vm, database: step.database, targetDatabase: step.targetDatabase, instance: step.instance, time };
      return job(state, step.via, 'sql-restore', params, () => proxy.restoreSql(params));
    }
    case 'dr-restore': {
      const manifestId = step.from ? state.byId.get(step.from)?.result?.manifestId : undefined;
      if (step.from && typeof manifestId !== 'string') throw new StepSetupError(`step "${step.from}" produced no backup to restore`);
      const params = { manifestId: manifestId as string | undefined, vm: step.from ? undefined : step.vm, newName: step.newName };
      return job(state, step.via, 'dr-restore', params, () => proxy.restoreDr(params));
    }
    case 'guest-write': {
      const disks = lab.world.disks.forVm(vmOf(lab, step.vm).moid);
      const disk = disks[step.disk ?? 0];
      if (!disk) throw new StepSetupError(`${step.vm} has ${disks.length} disk(s); there is no disk ${step.disk}`);
      const w = disk.guestWrite({ percent: step.percent, extents: step.extents });
      return { status: 'succeeded', result: { bytes: w.bytes, extents: w.extents.length } };
    }
    case 'sql-transactions': {
      const server = lab.world.sql.server(step.vm);
      if (!server) throw new StepSetupError(`${step.vm} runs no SQL Server`);
      const r = server.runTransactions(step.instance ?? defaultInstance(server.instances.keys()), step.database, step.count);
      state.transactions.set(step.id ?? `#${state.transactions.size}`, { lastLsn: r.lastLsn, lastTime: r.lastTime });
      return { status: 'succeeded', result: { count: r.count, lastLsn: String(r.lastLsn), lastTime: r.lastTime.toISOString() } };
    }
    case 'cbt-reset': {
      const disks = lab.world.disks.forVm(vmOf(lab, step.vm).moid);
      for (const d of disks) d.resetCbt();
      return { status: 'succeeded', result: { disks: disks.length } };
    }
    case 'wait':
      await new Promise((r) => setTimeout(r, step.ms));
      return { status: 'succeeded' };
    case 'set-fault': {
      const f = lab.faults.set({ ...step.fault, params: step.fault.params ?? {} });
      state.faultIds.add(f.id);
      return { status: 'succeeded', result: { fault: f.id } };
    }
    case 'clear-fault': {
      const ids = step.fault ? [step.fault] : [...state.faultIds];
      for (const id of ids) lab.faults.clear(id);
      return { status: 'succeeded', result: { cleared: ids } };
    }
  }
}

/**
 * Runs a proxy flow: through the cloud's job queue (the proxy claims it, runs it and reports the
 * result, as a deployed proxy does) or as a direct library call.
 */
async function job(
  state: RunState,
  via: 'queue' | 'direct' | undefined,
  type: string,
  params: Record<string, unknown>,
  direct: () => Promise<object>,
  /** A job already in the queue to claim instead of queuing a new one. */
  existing?: string,
): Promise<Done> {
  const clean = Object.fromEntries(Object.entries(params).filter(([, v]) => v !== undefined));
  if (via === 'direct') {
    try {
      return { status: 'succeeded', result: (await direct()) as Record<string, unknown> };
    } catch (err) {
      return { status: 'failed', error: toError(err) };
    }
  }
  const cloud = state.lab.world.cloud;
  if (!cloud) throw new StepSetupError('this lab has no cloud to queue jobs in; use "via: direct"');
  const queued = existing ? { id: existing } : cloud.queueJob({ type, params: clean });
  let outcome: JobOutcome | undefined;
  try {
    outcome = await state.proxy.runNextJob();
  } catch (err) {
    // The proxy could not even claim the job (activation, heartbeat or claim failed).
    return { status: 'failed', error: toError(err), job: { id: queued.id, state: cloud.job(queued.id)?.state ?? 'unknown' } };
  }
  if (!outcome) throw new StepSetupError(`the proxy found no job to claim (job ${queued.id} was queued)`);
  if (outcome.job.id !== queued.id) throw new StepSetupError(`the proxy claimed job ${outcome.job.id}, not the scenario's ${queued.id} (another job was queued)`);
  return {
    status: outcome.status,
    result: outcome.result as Record<string, unknown> | undefined,
    error: outcome.error ? { errorClass: outcome.error.errorClass, message: outcome.error.message } : undefined,
    job: { id: queued.id, state: cloud.job(queued.id)?.state ?? outcome.job.state },
  };
}

/**
 * A second proxy (its own name, activated over the wire) claims a vm-backup job and goes silent, as
 * a proxy that dies does: the job stays claimed until its lease lapses.
 */
async function abandonJob(state: RunState, vm: string): Promise<Done> {
  const cloud = state.lab.world.cloud;
  if (!cloud) throw new StepSetupError('this lab has no cloud to queue jobs in');
  const queued = cloud.queueJob({ type: 'vm-backup', params: { vm, mode: 'auto' } });
  const { proxy } = state;
  const gone = new CloudClient({ http: proxy.http, host: proxy.config.cloud.host, retry: { attempts: 1 } });
  const name = `proxy-gone-${randomBytes(3).toString('hex')}`;
  await gone.activate(proxy.config.cloud.activationToken, name);
  const claimed = await gone.claimJob();
  if (claimed?.id !== queued.id) throw new StepSetupError(`${name} claimed ${claimed?.id ?? 'nothing'}, not ${queued.id} (another job was queued)`);
  return { status: 'succeeded', result: { jobId: queued.id, claimedBy: name, leaseExpiresAt: claimed.leaseExpiresAt }, job: { id: queued.id, state: claimed.state } };
}

function abandonedJob(state: RunState, stepId: string): string {
  const id = state.byId.get(stepId)?.result?.jobId;
  if (typeof id !== 'string') throw new StepSetupError(`step "${stepId}" left no abandoned job to take over`);
  return id;
}

export function vmOf(lab: Lab, vm: string): VmSpec {
  const spec = lab.world.inventory.vms.find((v) => v.name === vm || v.moid === vm);
  if (!spec) throw new StepSetupError(`no VM "${vm}" in the inventory (${lab.world.inventory.vms.slice(0, 8).map((v) => v.name).join(', ')}...)`);
  return spec;
}

export function defaultInstance(names: Iterable<string>): string {
  const all = [...names];
  return all.find((n) => n === 'MSSQLSERVER') ?? all[0] ?? 'MSSQLSERVER';
}
