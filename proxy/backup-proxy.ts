import type { Job } from '../simulators/core/codecs/cloud-api.ts';
import { ProxyNet } from './net/proxy-net.ts';
import { HttpsClient } from './net/https-client.ts';
import { CloudClient } from './clients/cloud/cloud-client.ts';
import { VsphereClient } from './clients/vsphere/index.ts';
import { ProxyError, classify } from './errors.ts';
import { ProxyEvents } from './events.ts';
import type { ProxyConfig } from './config.ts';
import type { FlowContext } from './flows/context.ts';
import { DataTarget } from './flows/data-target.ts';
import { checkClock } from './flows/preflight.ts';
import { backupVm, type VmBackupParams, type VmBackupResult } from './flows/vm-backup.ts';
import { backupSql, type SqlBackupParams, type SqlBackupResult } from './flows/sql-backup.ts';
import { restoreSql, type SqlRestoreParams, type SqlRestoreResult } from './flows/sql-restore.ts';
import { restoreDr, type DrRestoreParams, type DrRestoreResult } from './flows/dr-restore.ts';

export type JobType = 'vm-backup' | 'sql-backup' | 'sql-restore' | 'dr-restore';

export interface JobOutcome {
  job: Job;
  status: 'succeeded' | 'failed';
  result?: VmBackupResult | SqlBackupResult | SqlRestoreResult | DrRestoreResult;
  error?: ProxyError;
}

/**
 * The simulated backup proxy. It knows its world only through its configuration and the wire: it
 * activates with the cloud, takes jobs from it, checks its clock first, and runs each flow against
 * vCenter/ESXi, CloudCache/cloud and the guests, reporting progress and the result back.
 */
export class BackupProxy {
  readonly events = new ProxyEvents();
  readonly net: ProxyNet;
  readonly http: HttpsClient;
  readonly cloud: CloudClient;
  private readonly cache: CloudClient | null;
  private activated = false;
  private jobSeq = 0;

  constructor(readonly config: ProxyConfig) {
    this.net = new ProxyNet({ endpoints: config.endpoints, caPem: config.caPem, localAddress: config.localAddress });
    this.http = new HttpsClient(this.net);
    this.cloud = new CloudClient({ http: this.http, host: config.cloud.host });
    this.cache = null;
    if (config.cloudcache) {
      // A cache that does not answer should cost seconds, not the cloud's minute of retries.
      this.cache = this.cloud.withHost(config.cloudcache.host, { attempts: 2, deadlineMs: 3_000, baseDelayMs: 100, maxDelayMs: 500 });
    }
  }

  /** Activation with the cloud's one-time token; later calls are no-ops. */
  async activate(): Promise<void> {
    if (this.activated) return;
    try {
      await this.cloud.activate(this.config.cloud.activationToken, this.config.name);
    } catch (err) {
      throw new ProxyError('activation', `activation with ${this.config.cloud.host} failed: ${(err as Error).message}`, {}, { cause: err });
    }
    if (this.cache) this.cache.token = this.cloud.token;
    this.activated = true;
    this.events.log('info', `activated with ${this.config.cloud.host} as ${this.config.name}`);
  }

  /** Claims the next job from the cloud and runs it; undefined when none is queued. */
  async runNextJob(): Promise<JobOutcome | undefined> {
    await this.activate();
    await this.cloud.heartbeat({ proxy: this.config.name, state: 'idle' });
    const job = await this.cloud.claimJob();
    if (!job) return undefined;
    return this.runJob(job);
  }

  /** Runs a claimed job: clock check, the flow, progress and result reported to the cloud. */
  async runJob(job: Job): Promise<JobOutcome> {
    const ctx = this.context(job.id);
    let lastPercent = -1;
    const report = (percent: number, message?: string) => {
      if (percent - lastPercent < 10 && percent < 100) return;
      lastPercent = percent;
      void this.cloud.reportProgress(job.id, percent, message).catch(() => {});
    };
    const onProgress = (p: { job: string; bytesDone: number; bytesTotal: number; phase: string }) => {
      if (p.job === job.id && p.bytesTotal > 0) report(Math.floor((100 * p.bytesDone) / p.bytesTotal), p.phase);
    };
    this.events.on('progress', onProgress);
    const stopHeartbeats = this.keepLease(job, ctx.log);
    try {
      ctx.log(`job ${job.id}: ${job.type} ${JSON.stringify(job.params)}`);
      for (const lost of job.expiredLeases ?? []) ctx.log(`job ${job.id}: taken over; the lease of ${lost.proxyName ?? 'a proxy'} expired at ${lost.at}`, 'warn');
      await checkClock(ctx);
      const result = await this.dispatch(ctx, job.type as JobType, job.params);
      await this.cloud.reportResult(job.id, { status: 'succeeded', result: result as unknown as Record<string, unknown> });
      ctx.log(`job ${job.id}: succeeded`);
      return { job: await this.cloud.getJob(job.id), status: 'succeeded', result };
    } catch (err) {
      const error = classify(err);
      ctx.log(`job ${job.id}: failed (${error.errorClass}): ${error.message}`, 'error');
      await this.cloud.reportResult(job.id, { status: 'failed', error: { code: error.errorClass, message: error.message } }).catch(() => {});
      return { job: await this.cloud.getJob(job.id).catch(() => job), status: 'failed', error };
    } finally {
      stopHeartbeats();
      this.events.off('progress', onProgress);
      await ctx.close();
    }
  }

  /**
   * The cloud's claim is a lease: heartbeats at a third of its length renew it, so one lost
   * heartbeat does not cost the job. Returns the function that stops them.
   */
  private keepLease(job: Job, log: FlowContext['log']): () => void {
    const periodMs = Math.max(100, ((job.leaseSeconds ?? 60) * 1000) / 3);
    const timer = setInterval(() => {
      this.cloud.heartbeat({ proxy: this.config.name, state: 'busy', job: job.id }).catch((err: Error) => log(`heartbeat failed (the lease of job ${job.id} is not renewed): ${err.message}`, 'warn'));
    }, periodMs);
    timer.unref();
    return () => clearInterval(timer);
  }

  private dispatch(ctx: FlowContext, type: JobType, params: Record<string, unknown>) {
    switch (type) {
      case 'vm-backup':
        return backupVm(ctx, params as unknown as VmBackupParams);
      case 'sql-backup':
        return backupSql(ctx, params as unknown as SqlBackupParams);
      case 'sql-restore':
        return restoreSql(ctx, params as unknown as SqlRestoreParams);
      case 'dr-restore':
        return restoreDr(ctx, params as unknown as DrRestoreParams);
      default:
        throw new ProxyError('invalid-state', `unknown job type "${type}" (known: vm-backup, sql-backup, sql-restore, dr-restore)`);
    }
  }

  /** Runs a flow directly, without a cloud job (library use); still checks the clock first. */
  async run<T>(what: string, flow: (ctx: FlowContext) => Promise<T>): Promise<T> {
    await this.activate();
    const ctx = this.context(`${what}-${++this.jobSeq}`);
    try {
      await checkClock(ctx);
      return await flow(ctx);
    } catch (err) {
      throw classify(err);
    } finally {
      await ctx.close();
    }
  }

  backupVm(params: VmBackupParams): Promise<VmBackupResult> {
    return this.run('vm-backup', (ctx) => backupVm(ctx, params));
  }

  backupSql(params: SqlBackupParams): Promise<SqlBackupResult> {
    return this.run('sql-backup', (ctx) => backupSql(ctx, params));
  }

  restoreSql(params: SqlRestoreParams): Promise<SqlRestoreResult> {
    return this.run('sql-restore', (ctx) => restoreSql(ctx, params));
  }

  restoreDr(params: DrRestoreParams): Promise<DrRestoreResult> {
    return this.run('dr-restore', (ctx) => restoreDr(ctx, params));
  }

  close(): void {
    this.http.close();
  }

  private context(job: string): FlowContext & { close(): Promise<void> } {
    const events = this.events;
    const log = (message: string, level: 'info' | 'warn' | 'error' = 'info') => events.log(level, message, job);
    let vs: Promise<VsphereClient> | undefined;
    const config = this.config;
    const http = this.http;
    return {
      job,
      config,
      net: this.net,
      http,
      cloud: this.cloud,
      data: new DataTarget(this.cloud, this.cache, log),
      events,
      log,
      progress: (phase, bytesDone, bytesTotal, bytesSent) => events.emit('progress', { job, phase, bytesDone, bytesTotal, bytesSent }),
      vsphere: () => {
        vs ??= (async () => {
          let client: VsphereClient;
          try {
            client = await VsphereClient.connect(http, config.vsphere.host, 443, { timeoutMs: config.timeouts.request });
            await client.login(config.vsphere.user, config.vsphere.password);
            client.soap.reauth = () => client.login(config.vsphere.user, config.vsphere.password).then(() => {});
          } catch (err) {
            vs = undefined;
            const e = classify(err);
            throw e.errorClass === 'internal' ? new ProxyError('auth', `login to ${config.vsphere.host} failed: ${e.message}`, {}, { cause: err }) : e;
          }
          log(`logged in to ${config.vsphere.host} (${client.apiType})`);
          return client;
        })();
        return vs;
      },
      close: async () => {
        if (vs) await (await vs.catch(() => undefined))?.logout().catch(() => {});
      },
    };
  }
}
