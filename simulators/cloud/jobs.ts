import { randomUUID } from 'node:crypto';
import type { Job, JobRequest } from '../core/codecs/cloud-api.ts';
import { ApiError } from './http-api.ts';
import { nowIso, type Db } from './metadata-db.ts';
import type { Principal } from './principals.ts';

/** How long a claim holds without a heartbeat or progress report from the claiming proxy. */
export const DEFAULT_JOB_LEASE_MS = 60_000;

/**
 * The job queue of a proxy pool: each job goes to exactly one proxy; a proxy runs one job at a
 * time; jobs wait in order (FIFO) while every proxy is busy. Claims are synchronous SQLite
 * transactions, so two proxies can never get the same job. A claim is a lease: a proxy that stops
 * renewing it (dead, cut off) loses the job, which goes back to the queue in its old place.
 */
export class JobQueue {
  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now,
    readonly leaseMs = DEFAULT_JOB_LEASE_MS,
  ) {}

  /** Running jobs whose lease has passed go back to the queue (checked lazily, before every read or change). */
  private expireLeases(): void {
    const now = this.now();
    const rows = this.db.prepare("SELECT body FROM jobs WHERE state = 'running'").all() as { body: string }[];
    for (const r of rows) {
      const job = JSON.parse(r.body) as Job;
      if (!job.leaseExpiresAt || Date.parse(job.leaseExpiresAt) > now) continue;
      const { proxyId: _id, proxyName, claimedAt: _c, leaseExpiresAt: _l, ...rest } = job;
      this.save({ ...rest, state: 'queued', expiredLeases: [...(job.expiredLeases ?? []), { proxyName, at: new Date(now).toISOString() }] });
    }
  }

  private lease(job: Job): Job {
    return { ...job, leaseExpiresAt: new Date(this.now() + this.leaseMs).toISOString(), leaseSeconds: this.leaseMs / 1000 };
  }

  /** A heartbeat of `proxy`: renews the lease of the job it is running, if any. */
  renew(proxy: Principal): void {
    this.expireLeases();
    const row = this.db.prepare("SELECT body FROM jobs WHERE state = 'running' AND proxy_id = ?").get(proxy.id) as { body: string } | undefined;
    if (row) this.save(this.lease(JSON.parse(row.body) as Job));
  }

  enqueue(req: JobRequest): Job {
    if (typeof req.type !== 'string' || !req.type) throw new ApiError(400, 'invalid_request', 'job "type" must be a non-empty string');
    if (req.params !== undefined && (typeof req.params !== 'object' || req.params === null || Array.isArray(req.params))) {
      throw new ApiError(400, 'invalid_request', 'job "params" must be an object');
    }
    const job: Job = {
      id: `job-${randomUUID().slice(0, 8)}`,
      type: req.type,
      params: req.params ?? {},
      ...(req.targetProxy ? { targetProxy: req.targetProxy } : {}),
      state: 'queued',
      progress: { percent: 0 },
      createdAt: nowIso(),
    };
    this.db.prepare('INSERT INTO jobs (id, state, target_proxy, body) VALUES (?, ?, ?, ?)').run(job.id, job.state, job.targetProxy ?? null, JSON.stringify(job));
    return job;
  }

  get(id: string): Job | undefined {
    this.expireLeases();
    const row = this.db.prepare('SELECT body FROM jobs WHERE id = ?').get(id) as { body: string } | undefined;
    return row ? (JSON.parse(row.body) as Job) : undefined;
  }

  list(state?: string): Job[] {
    this.expireLeases();
    const rows = (state ? this.db.prepare('SELECT body FROM jobs WHERE state = ? ORDER BY seq').all(state) : this.db.prepare('SELECT body FROM jobs ORDER BY seq').all()) as { body: string }[];
    return rows.map((r) => JSON.parse(r.body) as Job);
  }

  private save(job: Job): Job {
    this.db.prepare('UPDATE jobs SET state = ?, proxy_id = ?, body = ? WHERE id = ?').run(job.state, job.proxyId ?? null, JSON.stringify(job), job.id);
    return job;
  }

  /** The oldest queued job this proxy may run, now running on it; undefined when none waits. */
  claim(proxy: Principal): Job | undefined {
    return this.db.transaction(() => {
      this.expireLeases();
      const busy = this.db.prepare("SELECT id FROM jobs WHERE state = 'running' AND proxy_id = ?").get(proxy.id) as { id: string } | undefined;
      if (busy) throw new ApiError(409, 'proxy_busy', `proxy ${proxy.name} is still running ${busy.id}; report its result before claiming another job`, { jobId: busy.id });
      const row = this.db
        .prepare("SELECT body FROM jobs WHERE state = 'queued' AND (target_proxy IS NULL OR target_proxy = ?) ORDER BY seq LIMIT 1")
        .get(proxy.name) as { body: string } | undefined;
      if (!row) return undefined;
      const job = JSON.parse(row.body) as Job;
      return this.save(this.lease({ ...job, state: 'running', proxyId: proxy.id, proxyName: proxy.name, claimedAt: nowIso() }));
    })();
  }

  private running(proxy: Principal, id: string): Job {
    const job = this.get(id);
    if (!job) throw new ApiError(404, 'not_found', `no job ${id}`);
    const lost = job.proxyId !== proxy.id ? [...(job.expiredLeases ?? [])].reverse().find((l) => l.proxyName === proxy.name) : undefined;
    if (lost) throw new ApiError(409, 'lease_expired', `the lease of proxy ${proxy.name} on job ${id} expired at ${lost.at}; the job went back to the queue`, { state: job.state });
    if (job.proxyId !== proxy.id) throw new ApiError(403, 'forbidden', `job ${id} is not assigned to proxy ${proxy.name}`);
    if (job.state !== 'running') throw new ApiError(409, 'job_not_running', `job ${id} is ${job.state}`, { state: job.state });
    return job;
  }

  progress(proxy: Principal, id: string, body: Record<string, unknown>): Job {
    const job = this.running(proxy, id);
    const percent = body.percent;
    if (typeof percent !== 'number' || percent < 0 || percent > 100) throw new ApiError(400, 'invalid_request', '"percent" must be a number from 0 to 100');
    const message = typeof body.message === 'string' ? body.message : undefined;
    return this.save({ ...this.lease(job), progress: { percent, ...(message ? { message } : {}) } });
  }

  finish(proxy: Principal, id: string, body: Record<string, unknown>): Job {
    const job = this.running(proxy, id);
    const status = body.status;
    if (status !== 'succeeded' && status !== 'failed') throw new ApiError(400, 'invalid_request', '"status" must be "succeeded" or "failed"');
    const result = body.result && typeof body.result === 'object' ? (body.result as Record<string, unknown>) : undefined;
    const error = body.error && typeof body.error === 'object' ? (body.error as Job['error']) : undefined;
    const { leaseExpiresAt: _l, ...done } = job;
    return this.save({
      ...done,
      state: status,
      progress: status === 'succeeded' ? { percent: 100, message: job.progress.message } : job.progress,
      ...(result ? { result } : {}),
      ...(error ? { error } : {}),
      finishedAt: nowIso(),
    });
  }
}
