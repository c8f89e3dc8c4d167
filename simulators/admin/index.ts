import type { CoreLab } from '../core/lab.ts';
import type { Credentials } from '../core/types.ts';
import { listenPlainHttp } from '../core/net/plain-http.ts';
import { mswRequestHandler } from '../core/net/msw-adapter.ts';
import { DEFAULT_CREDENTIALS } from '../credentials.ts';
import { adminHandlers } from './routes.ts';
import { hostRefusal, isLoopback } from './auth.ts';
import { MAX_JSON_BYTES } from './errors.ts';
import type { WebRunners } from './web/runners.ts';

export { setScenarioRunner, type ScenarioRunner } from './scenario-hook.ts';
export { AdminError } from './errors.ts';
export { adminHandlers } from './routes.ts';
export type { WebRunners, JobRunner, FaultCatalogEntry } from './web/runners.ts';

export interface AdminOptions {
  /** Loopback address to bind (default 127.0.0.1); anything else is refused. */
  host?: string;
  /** Fixed port; default 0 (the OS chooses, read it from `url`). */
  port?: number;
  /** Default: the lab's credentials.admin, else admin / bpsim. */
  credentials?: Credentials;
  /** Deadline of each listener probe of GET /health (default 1000 ms). */
  healthTimeoutMs?: number;
  /** Interval of SSE keep-alive comments (default 15 s). */
  keepAliveMs?: number;
  /** Protocol fault types to accept besides connection and TLS faults; default: any kebab-case name. */
  protocolFaults?: readonly string[];
  /** What the web view at `/` can run: jobs, the scenario list, the fault catalog (see `labWebRunners`). */
  runners?: WebRunners;
}

export interface AdminServer {
  /** "http://127.0.0.1:PORT" */
  url: string;
  /** The web view: "http://127.0.0.1:PORT/" (same credentials). */
  web: string;
  /** Ends event streams and frees the port; idempotent. Stopping the lab stops the admin API too. */
  stop(): Promise<void>;
}

/** Starts the admin API of a running lab: plain HTTP on loopback, Basic auth on all but GET /health. */
export async function startAdmin(lab: CoreLab<unknown>, opts: AdminOptions = {}): Promise<AdminServer> {
  const host = opts.host ?? '127.0.0.1';
  if (!isLoopback(host)) throw new Error(`the admin API binds loopback only (127.x.y.z, ::1 or localhost), not "${host}"`);
  const streams = new Set<() => void>();
  const handlers = adminHandlers({
    lab,
    credentials: opts.credentials ?? lab.credentials.admin ?? DEFAULT_CREDENTIALS.admin!,
    healthTimeoutMs: opts.healthTimeoutMs ?? 1_000,
    keepAliveMs: opts.keepAliveMs ?? 15_000,
    protocolFaults: opts.protocolFaults,
    runners: opts.runners,
    // Single-host mode exists for systems where only 127.0.0.1 is configured: probe from it.
    probeAddress: lab.options.singleHost ? undefined : lab.addressOf('admin'),
    registerStream: (close) => {
      streams.add(close);
      return () => streams.delete(close);
    },
  });
  const serve = mswRequestHandler(handlers, { maxBodyBytes: MAX_JSON_BYTES });
  // Checked on the raw request, before anything (routes, credentials, /health) sees it: 421 JSON.
  const server = await listenPlainHttp({ name: 'admin', host, port: opts.port, timeouts: lab.timeouts }, (req, res, conn) => {
    const refusal = hostRefusal(req.headers.host, host);
    if (refusal === undefined) return serve(req, res, conn);
    const body = JSON.stringify({ code: 'misdirected_host', message: refusal });
    res.writeHead(421, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), connection: 'close' });
    res.end(body);
  });
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      offLabStop();
      for (const close of [...streams]) close();
      await server.close();
    })());
  const offLabStop = lab.onStop(stop);
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return { url: `http://${urlHost}:${server.port}`, web: `http://${urlHost}:${server.port}/`, stop };
}
