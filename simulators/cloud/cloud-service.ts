import { join } from 'node:path';
import type { FaultRegistry } from '../core/faults/registry.ts';
import type { Credentials } from '../core/types.ts';
import type { Job, JobRequest } from '../core/codecs/cloud-api.ts';
import { BlockCorruptedError, openBlockStore, type BlockStore } from './block-store.ts';
import { blockNotFound, type BlockBackend } from './block-routes.ts';
import { checkQuota, corruptedError, readVerified } from './faults.ts';
import { basicOf, bearerOf, unauthorized, ApiError } from './http-api.ts';
import { JobQueue } from './jobs.ts';
import { ManifestStore } from './manifests.ts';
import { openMetadataDb, type Db } from './metadata-db.ts';
import { Principals, type Principal, type Role } from './principals.ts';
import { SqlCatalog } from './sql-catalog.ts';
import { ACTIVATION_POLICY, AccountLockout, lockoutOn, type Clock, type LockoutMode } from '../core/lockout.ts';
import type { ActivationResult } from '../core/codecs/cloud-api.ts';

export interface CloudServiceOptions {
  /** Component name (for faults and the trace). */
  name: string;
  /** The lab's activation token (credentials.cloud.password). */
  activationToken: string;
  /** Who may queue jobs over HTTP (Basic auth; credentials.admin). */
  admin: Credentials;
  /** Persist under <stateDir>/cloud (blocks as files, metadata in SQLite); default in memory. */
  stateDir?: string;
  faults: FaultRegistry;
  /** "vmware" (default): wrong activation tokens are throttled per source address; "off": never. */
  lockout?: LockoutMode;
  /** Time source of the activation throttle and job leases (default Date.now). */
  clock?: Clock;
  /** How long a job claim holds without a heartbeat (default 60 s). */
  jobLeaseMs?: number;
}

export type Caller = Principal | { id: 'admin'; name: string; role: 'admin' };

/**
 * The backup cloud's state and rules, independent of HTTP: the handler list (handlers.ts) and the
 * in-process API on `world.cloud` (scenarios queue jobs here) both go through it.
 */
export class CloudService {
  readonly principals: Principals;
  readonly jobs: JobQueue;
  readonly manifests: ManifestStore;
  readonly catalog: SqlCatalog;
  readonly backend: BlockBackend;
  private readonly activationThrottle: AccountLockout;

  /** Opens the metadata database (SQLite in a file under stateDir, or in memory) and the block store. */
  static async open(options: CloudServiceOptions): Promise<CloudService> {
    const dir = options.stateDir ? join(options.stateDir, options.name) : undefined;
    const db = await openMetadataDb(dir ? join(dir, 'metadata.sqlite') : undefined);
    try {
      return new CloudService(options, db, openBlockStore(dir ? join(dir, 'blocks') : undefined));
    } catch (err) {
      db.close();
      throw err;
    }
  }

  private constructor(
    readonly options: CloudServiceOptions,
    readonly db: Db,
    readonly blocks: BlockStore,
  ) {
    this.principals = new Principals(this.db, options.activationToken);
    this.activationThrottle = new AccountLockout(lockoutOn(options.lockout) ? ACTIVATION_POLICY : undefined, options.clock);
    this.jobs = new JobQueue(this.db, options.clock, options.jobLeaseMs);
    this.manifests = new ManifestStore(this.db);
    this.catalog = new SqlCatalog(this.db);
    const o = options;
    this.backend = {
      missing: async (hashes) => hashes.filter((h) => !blocks.has(h)),
      put: async (hash, data) => {
        if (blocks.has(hash)) return false;
        checkQuota(o.faults, o.name);
        return blocks.put(hash, data);
      },
      get: async (hash) => {
        try {
          const data = await readVerified(o.faults, o.name, blocks, hash);
          if (!data) throw blockNotFound(hash);
          return data;
        } catch (err) {
          throw err instanceof BlockCorruptedError ? corruptedError(err) : err;
        }
      },
      size: async (hash) => blocks.size(hash),
    };
  }

  /** The caller of a request, if its credentials are valid and its role is one of `roles`. */
  authenticate(request: Request, roles: ReadonlyArray<Role | 'admin'>): Caller {
    const basic = basicOf(request);
    if (basic) {
      if (basic.user === this.options.admin.user && basic.password === this.options.admin.password) {
        if (!roles.includes('admin')) throw new ApiError(403, 'forbidden', 'the admin account cannot call this endpoint; use proxy credentials');
        return { id: 'admin', name: basic.user, role: 'admin' };
      }
      throw unauthorized('invalid user name or password');
    }
    const token = bearerOf(request);
    if (!token) throw unauthorized('missing credentials: send "Authorization: Bearer <token>" from activation');
    const p = this.principals.byToken(token);
    if (!p) throw unauthorized('the bearer token is not valid (unknown or deactivated proxy)');
    if (!roles.includes(p.role)) throw new ApiError(403, 'forbidden', `a ${p.role} may not call this endpoint`);
    return p;
  }

  /**
   * Activation from `source` (the caller's address): after too many wrong tokens from one address,
   * 429 with Retry-After until the throttle ends, even for a right token.
   */
  activate(activationToken: string, proxyName: string, source: string): ActivationResult {
    const left = this.activationThrottle.retryAfterMs(source);
    if (left > 0) {
      const seconds = Math.ceil(left / 1000);
      throw new ApiError(429, 'too_many_attempts', `too many invalid activation tokens from ${source}; retry in ${seconds} s`, { retryAfterSeconds: seconds }, { 'retry-after': String(seconds) });
    }
    try {
      const result = this.principals.activate(activationToken, proxyName);
      this.activationThrottle.attempt(source, true);
      return result;
    } catch (err) {
      if (err instanceof ApiError && err.code === 'invalid_activation_token') this.activationThrottle.attempt(source, false);
      throw err;
    }
  }

  // In-process API (world.cloud), for the lab and scenarios.
  queueJob(req: JobRequest): Job {
    return this.jobs.enqueue(req);
  }

  job(id: string): Job | undefined {
    return this.jobs.get(id);
  }

  /** Waits until a job has finished (succeeded or failed); rejects after timeoutMs. */
  async waitForJob(id: string, timeoutMs = 60_000): Promise<Job> {
    const deadline = Date.now() + timeoutMs;
    let pause = 1;
    for (;;) {
      const job = this.jobs.get(id);
      if (!job) throw new Error(`no job ${id}`);
      if (job.state === 'succeeded' || job.state === 'failed') return job;
      if (Date.now() > deadline) throw new Error(`job ${id} still ${job.state} after ${timeoutMs} ms`);
      // Starts small so a job that is nearly done costs no fixed wait; 50 ms at most between looks.
      await new Promise((r) => setTimeout(r, pause));
      pause = Math.min(pause * 2, 50);
    }
  }

  issueActivationToken(): string {
    return this.principals.issueActivationToken();
  }

  issueCacheToken(cacheName: string): string {
    return this.principals.issueCacheToken(cacheName);
  }

  storage(): { blocks: number; bytes: number; manifests: number; sqlBackups: number } {
    const count = (table: string) => (this.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
    return { ...this.blocks.stats(), manifests: count('manifests'), sqlBackups: count('sql_backups') };
  }

  /** A lab data reset: stored blocks, backup manifests, the SQL catalog and jobs go; proxies stay activated. */
  async clearData(): Promise<{ blocks: number; manifests: number; sqlBackups: number; jobs: number }> {
    const del = (table: string) => this.db.prepare(`DELETE FROM ${table}`).run().changes;
    const cleared = this.db.transaction(() => ({ manifests: del('manifests'), sqlBackups: del('sql_backups'), jobs: del('jobs') }))();
    return { blocks: await this.blocks.clear(), ...cleared };
  }

  close(): void {
    this.blocks.close();
    this.db.close();
  }
}
