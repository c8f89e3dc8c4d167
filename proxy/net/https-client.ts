import { Agent, request as httpsRequest } from 'node:https';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import type { ProxyNet, TlsOptions } from './proxy-net.ts';

export interface HttpRequest {
  host: string;
  /** Real port (443, 3542); mapped through the lab's NetMap. */
  port?: number;
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: Buffer | string | Readable;
  timeoutMs?: number;
  tls?: TlsOptions;
}

export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  json<T = unknown>(): T;
  text(): string;
}

/**
 * The proxy's HTTPS client: CA-verified, keep-alive per host, every call with a deadline. One per
 * proxy; agents are keyed by host:port so TLS sessions are reused as a real client would.
 */
export class HttpsClient {
  private readonly agents = new Map<string, Agent>();

  constructor(private readonly net: ProxyNet) {}

  private agentFor(host: string, port: number, tls: TlsOptions | undefined): Agent {
    const key = `${host}:${port}:${JSON.stringify(tls ?? {})}`;
    let agent = this.agents.get(key);
    if (!agent) {
      agent = new Agent({ keepAlive: true, maxSockets: 16, ...this.net.tlsOptions(host, port, tls) });
      this.agents.set(key, agent);
    }
    return agent;
  }

  /** Sends a request and returns the response stream (for large downloads). */
  stream(req: HttpRequest): Promise<IncomingMessage> {
    const port = req.port ?? 443;
    const opts = this.net.tlsOptions(req.host, port, req.tls);
    const timeoutMs = req.timeoutMs ?? 30_000;
    return new Promise((resolve, reject) => {
      const r = httpsRequest(
        {
          ...opts,
          agent: this.agentFor(req.host, port, req.tls),
          method: req.method ?? 'GET',
          path: req.path,
          headers: { host: req.host, ...req.headers },
        },
        (res) => {
          r.setTimeout(0);
          resolve(res);
        },
      );
      r.setTimeout(timeoutMs, () => r.destroy(Object.assign(new Error(`${req.method ?? 'GET'} https://${req.host}${req.path} timed out after ${timeoutMs} ms`), { code: 'ETIMEDOUT' })));
      r.once('error', reject);
      const body = req.body;
      if (body === undefined) r.end();
      else if (typeof body === 'string' || Buffer.isBuffer(body)) r.end(body);
      else body.pipe(r);
    });
  }

  async request(req: HttpRequest): Promise<HttpResponse> {
    const res = await this.stream(req);
    const chunks: Buffer[] = [];
    for await (const c of res) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    return {
      status: res.statusCode ?? 0,
      headers: res.headers,
      body,
      text: () => body.toString('utf8'),
      json: <T>() => JSON.parse(body.toString('utf8')) as T,
    };
  }

  close(): void {
    for (const a of this.agents.values()) a.destroy();
    this.agents.clear();
  }
}
