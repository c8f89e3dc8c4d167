import type { HttpsClient } from '../../net/https-client.ts';
import {
  API_PREFIX,
  MAX_MISSING_BATCH,
  sha256Hex,
  type ActivationResult,
  type BlockPutResult,
  type CacheStatus,
  type Job,
  type RestoreChain,
  type SnapshotManifest,
  type SqlBackupEntry,
} from '../../../simulators/core/codecs/cloud-api.ts';
import { CloudApiError } from './errors.ts';
import { withRetry, type RetryPolicy } from './retry.ts';

export interface CloudClientOptions {
  http: HttpsClient;
  /** "cloud.lab.test" or "cloudcache.lab.test": the data API is the same on both. */
  host: string;
  port?: number;
  /** Bearer token from activation (set by activate()). */
  token?: string;
  retry?: RetryPolicy;
  /** Per-request timeout (default 30 s). */
  timeoutMs?: number;
}

interface Call {
  method: string;
  path: string;
  body?: Buffer;
  contentType?: string;
  /** Safe to resend after a network error (the server may have processed it). */
  idempotent: boolean;
  what: string;
}

/**
 * The proxy's client for the backup cloud and CloudCache REST API (docs/cloud-api.md): bearer
 * auth, JSON errors as CloudApiError, retries with backoff that honour Retry-After within bounded
 * attempts and a total deadline, SHA-256 verification of every downloaded block.
 */
export class CloudClient {
  token: string | undefined;

  constructor(private readonly options: CloudClientOptions) {
    this.token = options.token;
  }

  get host(): string {
    return this.options.host;
  }

  /** The same credentials against another host (CloudCache), optionally with another retry policy. */
  withHost(host: string, retry?: RetryPolicy): CloudClient {
    return new CloudClient({ ...this.options, host, token: this.token, retry: retry ?? this.options.retry });
  }

  private async send(call: Call): Promise<{ status: number; body: Buffer; headers: Record<string, string | string[] | undefined> }> {
    return withRetry(this.options.retry ?? {}, async () => {
      let r;
      try {
        r = await this.options.http.request({
          host: this.options.host,
          port: this.options.port ?? 443,
          method: call.method,
          path: API_PREFIX + call.path,
          headers: {
            ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
            ...(call.body ? { 'content-type': call.contentType ?? 'application/json', 'content-length': String(call.body.length) } : {}),
          },
          body: call.body,
          timeoutMs: this.options.timeoutMs,
        });
      } catch (err) {
        const e = err as NodeJS.ErrnoException;
        throw new CloudApiError(0, e.code ?? 'network_error', `${call.what}: ${this.options.host} unreachable: ${e.message}`);
      }
      if (r.status >= 400) throw CloudApiError.fromResponse(r.status, r.body, r.headers['retry-after'] as string | undefined, call.what);
      return r;
    }, call.idempotent);
  }

  private async json<T>(method: string, path: string, value: unknown, what: string, idempotent = method === 'GET'): Promise<T> {
    const r = await this.send({ method, path, body: value === undefined ? undefined : Buffer.from(JSON.stringify(value)), idempotent, what });
    return JSON.parse(r.body.toString('utf8')) as T;
  }

  // Activation and liveness

  async activate(activationToken: string, proxyName: string): Promise<ActivationResult> {
    const result = await this.json<ActivationResult>('POST', '/activate', { activationToken, proxyName }, 'activation');
    this.token = result.token;
    return result;
  }

  heartbeat(status: Record<string, unknown> = {}): Promise<{ serverTime: string; queuedJobs: number }> {
    return this.json('POST', '/heartbeat', status, 'heartbeat', true);
  }

  // Jobs

  /** The next job for this proxy, or undefined when none is queued. */
  async claimJob(): Promise<Job | undefined> {
    const r = await this.send({ method: 'POST', path: '/jobs/claim', idempotent: false, what: 'claim job' });
    return r.status === 204 ? undefined : (JSON.parse(r.body.toString('utf8')) as Job);
  }

  getJob(id: string): Promise<Job> {
    return this.json('GET', `/jobs/${encodeURIComponent(id)}`, undefined, `get job ${id}`);
  }

  reportProgress(id: string, percent: number, message?: string): Promise<Job> {
    return this.json('POST', `/jobs/${encodeURIComponent(id)}/progress`, { percent, message }, `progress of ${id}`, true);
  }

  reportResult(id: string, outcome: { status: 'succeeded' | 'failed'; result?: Record<string, unknown>; error?: { code?: string; message: string } }): Promise<Job> {
    return this.json('POST', `/jobs/${encodeURIComponent(id)}/result`, outcome, `result of ${id}`);
  }

  // Blocks

  /** Which of these hashes the server lacks (batched under the server's limit). */
  async missingBlocks(hashes: string[]): Promise<string[]> {
    const missing: string[] = [];
    for (let i = 0; i < hashes.length; i += MAX_MISSING_BATCH) {
      const r = await this.json<{ missing: string[] }>('POST', '/blocks/missing', { hashes: hashes.slice(i, i + MAX_MISSING_BATCH) }, 'missing-check', true);
      missing.push(...r.missing);
    }
    return missing;
  }

  /** Uploads one block under its SHA-256 (computed when not given); stored=false means it was deduplicated. */
  async uploadBlock(data: Buffer, hash = sha256Hex(data)): Promise<BlockPutResult> {
    const r = await this.send({ method: 'PUT', path: `/blocks/${hash}`, body: data, contentType: 'application/octet-stream', idempotent: true, what: `upload ${hash}` });
    return JSON.parse(r.body.toString('utf8')) as BlockPutResult;
  }

  /** Downloads a block and checks that it hashes to its name. */
  async downloadBlock(hash: string): Promise<Buffer> {
    const r = await this.send({ method: 'GET', path: `/blocks/${hash}`, idempotent: true, what: `download ${hash}` });
    const actual = sha256Hex(r.body);
    if (actual !== hash) throw new CloudApiError(r.status, 'hash_mismatch', `download ${hash}: ${this.options.host} sent data hashing to ${actual}`);
    return r.body;
  }

  /** Size of a stored block, undefined when absent. */
  async blockSize(hash: string): Promise<number | undefined> {
    try {
      const r = await this.send({ method: 'HEAD', path: `/blocks/${hash}`, idempotent: true, what: `HEAD ${hash}` });
      return Number(r.headers['content-length']);
    } catch (err) {
      if (err instanceof CloudApiError && err.status === 404) return undefined;
      throw err;
    }
  }

  storage(): Promise<{ blocks: number; bytes: number; manifests: number; sqlBackups: number }> {
    return this.json('GET', '/storage', undefined, 'storage');
  }

  /** CloudCache only. */
  cacheStatus(): Promise<CacheStatus> {
    return this.json('GET', '/cache/status', undefined, 'cache status');
  }

  // Manifests (cloud only)

  putManifest(manifest: SnapshotManifest): Promise<SnapshotManifest> {
    return this.json('POST', '/manifests', manifest, 'put manifest');
  }

  getManifest(id: string): Promise<SnapshotManifest> {
    return this.json('GET', `/manifests/${encodeURIComponent(id)}`, undefined, `get manifest ${id}`);
  }

  async listManifests(vmId?: string): Promise<Array<{ id: string; vmId: string; vmName?: string; kind?: string; createdAt: string; disks: number }>> {
    const q = vmId ? `?vm=${encodeURIComponent(vmId)}` : '';
    return (await this.json<{ manifests: never[] }>('GET', `/manifests${q}`, undefined, 'list manifests')).manifests;
  }

  // SQL catalog (cloud only)

  addCatalogEntry(entry: SqlBackupEntry): Promise<SqlBackupEntry> {
    return this.json('POST', '/catalog/sql', entry, 'add catalog entry');
  }

  async queryCatalog(q: { database?: string; instance?: string; type?: string } = {}): Promise<SqlBackupEntry[]> {
    const params = new URLSearchParams(Object.entries(q).filter((e): e is [string, string] => !!e[1]));
    return (await this.json<{ backups: SqlBackupEntry[] }>('GET', `/catalog/sql?${params}`, undefined, 'query catalog')).backups;
  }

  restoreChain(database: string, time: Date | string, instance?: string): Promise<RestoreChain> {
    const params = new URLSearchParams({ database, time: typeof time === 'string' ? time : time.toISOString(), ...(instance ? { instance } : {}) });
    return this.json('GET', `/catalog/sql/restore-chain?${params}`, undefined, `restore chain of ${database}`);
  }
}
