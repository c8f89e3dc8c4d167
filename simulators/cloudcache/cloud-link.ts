import { Agent, request as httpsRequest } from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';
import type { NetMap } from '../core/net/netmap.ts';
import { API_PREFIX, sha256Hex, type ApiErrorBody } from '../core/codecs/cloud-api.ts';

export interface CloudLinkConfig {
  /** The cloud's hostname as the lab resolves it ("cloud.lab.test"). */
  host: string;
  netmap: NetMap;
  /** Lab CA: the cloud's certificate must chain to it and name `host`. */
  caPem: string;
  /** Source address, so the trace shows the cache as the initiator. */
  localAddress?: string;
  token: string;
  timeoutMs?: number;
}

/** A failed call to the cloud: HTTP status and error body, or a network error (status undefined). */
export class CloudLinkError extends Error {
  constructor(message: string, readonly status?: number, readonly code?: string, readonly retryAfterSeconds?: number) {
    super(message);
  }
}

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** CloudCache's own HTTPS client towards the cloud (sync, read-through, token checks). */
export class CloudLink {
  private readonly agent: Agent;

  constructor(private readonly config: CloudLinkConfig) {
    this.agent = new Agent({ keepAlive: true, maxSockets: 8 });
  }

  private async call(method: string, path: string, body?: Buffer, headers: Record<string, string> = {}): Promise<Reply> {
    const t = this.config.netmap.resolve(this.config.host, 443);
    const timeoutMs = this.config.timeoutMs ?? 30_000;
    return new Promise<Reply>((resolve, reject) => {
      const req = httpsRequest(
        {
          host: t.address,
          port: t.port,
          servername: t.servername,
          localAddress: this.config.localAddress && t.address.startsWith('127.') ? this.config.localAddress : undefined,
          ca: this.config.caPem,
          minVersion: 'TLSv1.2',
          agent: this.agent,
          method,
          path: API_PREFIX + path,
          headers: { host: this.config.host, authorization: `Bearer ${this.config.token}`, ...headers, ...(body ? { 'content-length': String(body.length) } : {}) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.once('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
          res.once('error', reject);
        },
      );
      req.setTimeout(timeoutMs, () => req.destroy(new Error(`${method} ${path} to ${this.config.host} timed out after ${timeoutMs} ms`)));
      req.once('error', (err) => reject(new CloudLinkError(`cloud unreachable: ${err.message}`)));
      req.end(body);
    });
  }

  private fail(r: Reply, what: string): never {
    let err: Partial<ApiErrorBody> = {};
    try {
      err = JSON.parse(r.body.toString('utf8')) as ApiErrorBody;
    } catch {
      // not JSON: keep the status alone
    }
    const retry = Number(r.headers['retry-after']);
    throw new CloudLinkError(`${what}: cloud answered ${r.status} ${err.code ?? ''} ${err.message ?? ''}`.trim(), r.status, err.code, Number.isFinite(retry) ? retry : undefined);
  }

  private async json<T>(method: string, path: string, value: unknown, what: string): Promise<T> {
    const r = await this.call(method, path, Buffer.from(JSON.stringify(value)), { 'content-type': 'application/json' });
    if (r.status >= 300) this.fail(r, what);
    return JSON.parse(r.body.toString('utf8')) as T;
  }

  async missing(hashes: string[]): Promise<string[]> {
    return (await this.json<{ missing: string[] }>('POST', '/blocks/missing', { hashes }, 'missing-check')).missing;
  }

  async put(hash: string, data: Buffer): Promise<void> {
    const r = await this.call('PUT', `/blocks/${hash}`, data, { 'content-type': 'application/octet-stream' });
    if (r.status >= 300) this.fail(r, `upload of ${hash}`);
  }

  /** The block from the cloud (verified), or undefined when the cloud does not have it. */
  async get(hash: string): Promise<Buffer | undefined> {
    const r = await this.call('GET', `/blocks/${hash}`);
    if (r.status === 404) return undefined;
    if (r.status >= 300) this.fail(r, `download of ${hash}`);
    if (sha256Hex(r.body) !== hash) throw new CloudLinkError(`block ${hash} from the cloud does not match its hash`, 502, 'hash_mismatch');
    return r.body;
  }

  async size(hash: string): Promise<number | undefined> {
    const r = await this.call('HEAD', `/blocks/${hash}`);
    if (r.status === 404) return undefined;
    if (r.status >= 300) this.fail(r, `HEAD of ${hash}`);
    return Number(r.headers['content-length']);
  }

  /** The proxy a bearer token belongs to, or undefined when the cloud does not know it. */
  async introspect(token: string): Promise<{ id: string; name: string } | undefined> {
    const r = await this.json<{ active: boolean; principal?: { id: string; name: string } }>('POST', '/tokens/introspect', { token }, 'token check');
    return r.active ? r.principal : undefined;
  }

  close(): void {
    this.agent.destroy();
  }
}
