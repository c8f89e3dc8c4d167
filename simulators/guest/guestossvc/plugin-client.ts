import { Agent, request as httpsRequest } from 'node:https';
import type { IncomingMessage } from 'node:http';
import { PLUGIN_API, PLUGIN_KEY_HEADER } from '../plugin/handlers.ts';
import { ApiError } from '../api-error.ts';
import type { GuestApiError } from '../../core/codecs/guest-api.ts';

export interface PluginTarget {
  host: string;
  port: number;
  /** The guest's address: guestossvc connects from inside the guest. */
  localAddress?: string;
  servername: string;
  ca: string;
  key: string;
}

/** guestossvc's HTTPS client for the plugin on 3545 (its own TLS session, CA-verified, with deadlines). */
export class PluginClient {
  private readonly agent: Agent;

  constructor(private readonly t: PluginTarget) {
    this.agent = new Agent({ keepAlive: true, maxSockets: 8 });
  }

  raw(method: string, path: string, body?: Buffer, contentType = 'application/json', timeoutMs = 120_000): Promise<IncomingMessage> {
    return new Promise((resolve, reject) => {
      const req = httpsRequest(
        {
          agent: this.agent,
          host: this.t.host,
          port: this.t.port,
          localAddress: this.t.localAddress,
          servername: this.t.servername,
          ca: this.t.ca,
          method,
          path: PLUGIN_API + path,
          headers: { [PLUGIN_KEY_HEADER]: this.t.key, ...(body ? { 'content-type': contentType, 'content-length': String(body.length) } : {}) },
        },
        (res) => {
          req.setTimeout(0);
          resolve(res);
        },
      );
      req.setTimeout(timeoutMs, () => req.destroy(new Error(`plugin ${method} ${path} timed out after ${timeoutMs} ms`)));
      req.once('error', (err) => reject(new ApiError(503, { code: 'plugin-unreachable', message: `PhoenixSQLGuestPlugin did not answer: ${err.message}` })));
      req.end(body);
    });
  }

  /** JSON call; a plugin error comes back as the same ApiError (status and body). */
  async call<T>(method: string, path: string, body?: unknown, timeoutMs?: number): Promise<T> {
    const res = await this.raw(method, path, body === undefined ? undefined : Buffer.from(JSON.stringify(body)), 'application/json', timeoutMs);
    const chunks: Buffer[] = [];
    for await (const c of res) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new ApiError(502, { code: 'plugin-bad-reply', message: `plugin answered ${res.statusCode} with non-JSON` });
    }
    if ((res.statusCode ?? 500) >= 400) throw new ApiError(res.statusCode ?? 500, json as GuestApiError);
    return json as T;
  }

  async put<T>(path: string, data: Buffer): Promise<T> {
    const res = await this.raw('PUT', path, data, 'application/octet-stream');
    const chunks: Buffer[] = [];
    for await (const c of res) chunks.push(c as Buffer);
    const json = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
    if ((res.statusCode ?? 500) >= 400) throw new ApiError(res.statusCode ?? 500, json as GuestApiError);
    return json as T;
  }

  close(): void {
    this.agent.destroy();
  }
}
