import type { IncomingMessage } from 'node:http';
import { HttpsClient, type HttpResponse } from '../../net/https-client.ts';
import type { ProxyNet } from '../../net/proxy-net.ts';
import { sha256Hex } from '../../../simulators/core/codecs/sha256.ts';
import { backoff } from '../../util/sleep.ts';
import {
  GUEST_API,
  GUESTOSSVC_PORT,
  type BackupRequest,
  type ChecksumResult,
  type GuestApiError,
  type InstanceInfo,
  type OperationStatus,
  type RestoreRequest,
  type RestoreStep,
  type VssWriterStatus,
} from '../../../simulators/core/codecs/guest-api.ts';

/** A guestossvc error in its own form: HTTP status + { code, message, sqlErrors?, vss? }. */
export class GuestossvcError extends Error {
  constructor(
    readonly status: number,
    readonly body: GuestApiError,
  ) {
    super(`guestossvc ${status} ${body.code}: ${body.message}`);
  }

  /** SQL Server error numbers in the reply, in order (e.g. [4305, 3013]). */
  get sqlNumbers(): number[] {
    return (this.body.sqlErrors ?? []).map((m) => m.number);
  }
}

export interface DownloadedStream {
  data: Buffer;
  sha256: string;
  backupSetId: string;
}

/**
 * The proxy's client for guestossvc on 3542 (HTTPS, CA-verified, bearer token from the injection).
 * `host` is the VM's IP or guest hostname as vCenter reports it.
 */
export class GuestossvcClient {
  private readonly http: HttpsClient;

  constructor(
    net: ProxyNet,
    readonly host: string,
    private readonly token: string,
    private readonly timeoutMs = 60_000,
  ) {
    this.http = new HttpsClient(net);
  }

  private async call<T>(method: string, path: string, body?: unknown, expect: number[] = [200, 201, 202]): Promise<T> {
    const r: HttpResponse = await this.http.request({
      host: this.host,
      port: GUESTOSSVC_PORT,
      method,
      path: GUEST_API + path,
      headers: { authorization: `Bearer ${this.token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
      timeoutMs: this.timeoutMs,
    });
    if (!expect.includes(r.status)) throw new GuestossvcError(r.status, safeJson(r));
    return r.json<T>();
  }

  status(): Promise<{ service: string; version: string; vm: string; hostname: string; pid: number; plugin: { state: string; exitCode?: number; reason?: string } }> {
    return this.call('GET', '/status');
  }

  /** SQL instances and their databases. */
  async discover(): Promise<InstanceInfo[]> {
    return (await this.call<{ instances: InstanceInfo[] }>('GET', '/sql/instances')).instances;
  }

  async writers(): Promise<VssWriterStatus[]> {
    return (await this.call<{ writers: VssWriterStatus[] }>('GET', '/vss/writers')).writers;
  }

  startBackup(req: BackupRequest): Promise<OperationStatus> {
    return this.call('POST', '/backups', req);
  }

  operation(id: string): Promise<OperationStatus> {
    return this.call('GET', `/operations/${encodeURIComponent(id)}`);
  }

  /** Polls until the operation leaves "running" (or `deadlineMs` passes), looking again soon at first, then every `pollMs`. */
  async waitFor(id: string, deadlineMs = 120_000, pollMs = 50): Promise<OperationStatus> {
    const until = Date.now() + deadlineMs;
    const pause = backoff(pollMs, 1);
    for (;;) {
      const s = await this.operation(id);
      if (s.state !== 'running' || (s.kind === 'restore' && s.phase === 'waiting-for-data')) return s;
      if (Date.now() > until) throw new Error(`operation ${id} still ${s.state}/${s.phase} after ${deadlineMs} ms`);
      await pause();
    }
  }

  /** Backup data of one database as a stream (for piping straight to the cloud). */
  async openStream(id: string, database: string): Promise<IncomingMessage> {
    const res = await this.http.stream({
      host: this.host,
      port: GUESTOSSVC_PORT,
      path: `${GUEST_API}/operations/${encodeURIComponent(id)}/streams/${encodeURIComponent(database)}`,
      headers: { authorization: `Bearer ${this.token}` },
      timeoutMs: this.timeoutMs,
    });
    if (res.statusCode !== 200) {
      const chunks: Buffer[] = [];
      for await (const c of res) chunks.push(c as Buffer);
      throw new GuestossvcError(res.statusCode ?? 0, safeJsonText(Buffer.concat(chunks).toString('utf8'), res.statusCode ?? 0));
    }
    return res;
  }

  /** Downloads one database's backup stream and checks it against the SHA-256 guestossvc announced. */
  async download(id: string, database: string): Promise<DownloadedStream> {
    const res = await this.openStream(id, database);
    const chunks: Buffer[] = [];
    for await (const c of res) chunks.push(c as Buffer);
    const data = Buffer.concat(chunks);
    const sha256 = sha256Hex(data);
    const want = res.headers['x-backup-sha256'];
    if (want && want !== sha256) throw new Error(`backup stream of ${database} is corrupt: sha256 ${sha256} != announced ${want}`);
    return { data, sha256, backupSetId: String(res.headers['x-backup-set-id'] ?? '') };
  }

  /** The proxy has stored the data: SQL Server records the backup (and truncates the log). */
  complete(id: string): Promise<OperationStatus> {
    return this.call('POST', `/operations/${encodeURIComponent(id)}/complete`);
  }

  abort(id: string): Promise<OperationStatus> {
    return this.call('DELETE', `/operations/${encodeURIComponent(id)}`);
  }

  startRestore(req: RestoreRequest): Promise<OperationStatus> {
    return this.call('POST', '/restores', req);
  }

  /** One RESTORE statement: send a backup stream WITH RECOVERY / NORECOVERY, optionally STOPAT. */
  async restore(id: string, data: Buffer, opts: { recovery: boolean; stopAt?: Date | string }): Promise<RestoreStep> {
    const q = new URLSearchParams({ recovery: String(opts.recovery) });
    if (opts.stopAt) q.set('stopAt', typeof opts.stopAt === 'string' ? opts.stopAt : opts.stopAt.toISOString());
    const r = await this.http.request({
      host: this.host,
      port: GUESTOSSVC_PORT,
      method: 'PUT',
      path: `${GUEST_API}/operations/${encodeURIComponent(id)}/streams?${q}`,
      headers: { authorization: `Bearer ${this.token}`, 'content-type': 'application/octet-stream', 'content-length': String(data.length) },
      body: data,
      timeoutMs: this.timeoutMs,
    });
    if (r.status !== 200) throw new GuestossvcError(r.status, safeJson(r));
    return r.json<RestoreStep>();
  }

  recover(id: string): Promise<OperationStatus> {
    return this.call('POST', `/operations/${encodeURIComponent(id)}/recover`);
  }

  checksum(instance: string, database: string, lsn?: string): Promise<ChecksumResult> {
    return this.call('GET', `/sql/instances/${encodeURIComponent(instance)}/databases/${encodeURIComponent(database)}/checksum${lsn ? `?lsn=${lsn}` : ''}`);
  }

  async errorLog(instance: string): Promise<{ time: string; process: string; number?: number; message: string }[]> {
    return (await this.call<{ entries: { time: string; process: string; number?: number; message: string }[] }>('GET', `/sql/instances/${encodeURIComponent(instance)}/errorlog`)).entries;
  }

  close(): void {
    this.http.close();
  }
}

function safeJson(r: HttpResponse): GuestApiError {
  return safeJsonText(r.text(), r.status);
}

function safeJsonText(text: string, status: number): GuestApiError {
  try {
    return JSON.parse(text) as GuestApiError;
  } catch {
    return { code: `http-${status}`, message: text.slice(0, 200) };
  }
}
