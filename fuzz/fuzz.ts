import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, connect as tcpConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { createSocket } from 'node:dgram';
import { createInterface } from 'node:readline';
import { randomInt } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { seededRandom } from '../simulators/core/seeded.ts';
import type { Endpoint } from '../simulators/core/types.ts';
import { resolveTimeouts, type ServerTimeouts } from '../simulators/core/net/timeouts.ts';
import { makeCase, type FuzzCase, type ListenerKind } from './cases.ts';
import { rawExchange, type RawTarget } from './raw-http.ts';
import { holdConnection } from './slow-clients.ts';
import { healthProblem } from './health.ts';
import { rssMiB, settledRss } from './rss.ts';

export interface FuzzOptions {
  seed: string;
  /** Cases per listener. */
  cases: number;
  /** Cases per listener between two health and memory checks. */
  batch: number;
  /** Only listeners whose "component/listener" contains this. */
  only?: string;
  /** Server timeouts of the lab under fuzz: short, so slow and idle cases end quickly. */
  timeouts: ServerTimeouts;
  /** Replay: run only these case numbers (per listener, from 1) and/or case types; every case is still drawn, so numbers stay the same. */
  pick?: { numbers?: number[]; types?: FuzzCase['type'][] };
  /** Cases in flight at once, over all listeners. */
  concurrency: number;
  pkiDir?: string;
  log?: (line: string) => void;
}

export interface ListenerFigures {
  listener: string;
  cases: number;
  answered: number;
  closed: number;
  status5xx: number;
  /** The first few 5xx answers: request line, status, start of the body. */
  serverErrors: string[];
  hangs: string[];
  unanswered: string[];
}

export interface FuzzReport {
  seed: string;
  casesPerListener: number;
  listeners: ListenerFigures[];
  crashes: string[];
  healthFailures: string[];
  rss: { baselineMiB: number; maxMiB: number; finalMiB: number; overBand: string[] };
  seconds: number;
}

/**
 * Longest a case may take before it counts as a hang: past the slowest deadline an unauthenticated
 * client can run into, as configured for this lab (defaults where not), plus the longest a server
 * may linger after its answer (30 s, body caps) as margin. Only a hang ever waits this long.
 */
export function hangMs(t: ServerTimeouts): number {
  const r = resolveTimeouts(t);
  return Math.max(r.handshakeMs, r.headersMs, r.requestMs, r.idleMs, r.authdCommandMs, r.rdpRequestMs, r.sshIdentMs) + 30_000;
}

function kindOf(e: Endpoint): ListenerKind | undefined {
  if (e.transport === 'udp') return 'ntp';
  if (e.protocol === 'soap') return 'soap';
  if (e.listener === 'authd') return 'authd';
  if (e.listener === 'rdp') return 'rdp';
  if (e.listener === 'ssh') return 'ssh';
  if (e.url?.startsWith('https:')) return 'rest';
  return undefined;
}

interface Target {
  name: string;
  kind: ListenerKind;
  raw: RawTarget;
  auth: { guestToken?: string };
}

/** A real ClientHello (node's own TLS client), captured once, to truncate and mutate. */
async function captureClientHello(): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const server = createServer((s) => {
      s.once('data', (d) => {
        resolve(d);
        s.destroy();
        server.close();
      });
    });
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      const c = tlsConnect({ host: '127.0.0.1', port, servername: 'vcenter.lab.test', rejectUnauthorized: false });
      c.on('error', () => {});
    });
    server.on('error', reject);
  });
}

/** Sends raw bytes and waits for the server to close the connection. */
function bytesCase(t: RawTarget, data: Buffer, limitMs: number): Promise<'closed' | 'hang'> {
  return new Promise((resolve) => {
    const s = tcpConnect({ host: t.host, port: t.port });
    const timer = setTimeout(() => {
      s.destroy();
      resolve('hang');
    }, limitMs);
    s.on('error', () => {});
    s.on('data', () => {});
    s.once('close', () => {
      clearTimeout(timer);
      resolve('closed');
    });
    s.once('connect', () => s.write(data));
  });
}

function floodCase(t: RawTarget, count: number, limitMs: number): Promise<number> {
  return Promise.all(Array.from({ length: count }, () => bytesCase(t, Buffer.alloc(0), limitMs))).then((r) => r.filter((x) => x === 'hang').length);
}

function datagram(t: RawTarget, data: Buffer): Promise<void> {
  return new Promise((resolve) => {
    const s = createSocket('udp4');
    const done = () => {
      clearTimeout(timer);
      s.close();
      resolve();
    };
    const timer = setTimeout(done, 300);
    s.on('message', done);
    s.on('error', done);
    s.send(data, t.port, t.host);
  });
}

async function runCase(target: Target, c: FuzzCase & { n: number }, figures: ListenerFigures, limitMs: number): Promise<void> {
  figures.cases++;
  const tag = `#${c.n} ${c.name}`;
  switch (c.type) {
    case 'bytes': {
      const r = await bytesCase(target.raw, c.data, limitMs);
      if (r === 'hang') figures.hangs.push(tag);
      else figures.closed++;
      return;
    }
    case 'http': {
      const head = c.head;
      const a = await rawExchange(target.raw, { head, body: c.body, timeoutMs: limitMs });
      if (a.status !== undefined) {
        figures.answered++;
        if (a.status >= 500 && figures.status5xx++ < 10) figures.serverErrors.push(`${JSON.stringify(head.split('\r\n')[0]!.slice(0, 80))} -> ${a.status} ${a.body.slice(0, 160)}`);
      } else if (a.outcome === 'timeout') figures.hangs.push(tag);
      // Refused before a request could be sent (a TLS handshake past its deadline on a loaded machine):
      // not an unanswered request; the health check after the batch shows whether the listener still serves.
      else if (a.outcome === 'not-connected' || malformedHead(head)) figures.closed++;
      else figures.unanswered.push(`${tag}: ${JSON.stringify(head.split('\r\n')[0]!.slice(0, 80))} -> ${a.outcome}`);
      return;
    }
    case 'slow': {
      const r = await holdConnection(target.raw, c.kind, { giveUpMs: limitMs, path: target.kind === 'soap' ? '/sdk' : '/api/v1/status' });
      if (r.closed) figures.closed++;
      else figures.hangs.push(`${tag} ${c.kind}`);
      return;
    }
    case 'flood': {
      const hung = await floodCase({ ...target.raw, tls: false }, c.count, limitMs);
      if (hung) figures.hangs.push(`${tag}: ${hung} of ${c.count} never closed`);
      else figures.closed++;
      return;
    }
    case 'datagram':
      await datagram(target.raw, c.data);
      figures.answered++;
      return;
  }
}

function picked(p: FuzzOptions['pick'], c: FuzzCase & { n: number }): boolean {
  return (!p?.numbers || p.numbers.includes(c.n)) && (!p?.types || p.types.includes(c.type));
}

/** A head the HTTP parser may drop without a status (no request line it can read at all). */
function malformedHead(head: string): boolean {
  return !/^[A-Z]+ \S+ HTTP\/1\.1\r\n/.test(head);
}

interface LabChild {
  child: ChildProcess;
  summary: { endpoints: Endpoint[]; admin: { url: string }; guestToken: string; credentials: Record<string, { user: string; password: string }> };
  /** A full garbage collection in the lab process (it answers when done). */
  collectGarbage(): Promise<void>;
}

async function startLabChild(o: FuzzOptions): Promise<LabChild> {
  const entry = fileURLToPath(new URL('./lab-child.ts', import.meta.url));
  const addressBlock = `127.${randomInt(16, 250)}.${randomInt(0, 250)}`;
  const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', entry, JSON.stringify({ timeouts: o.timeouts, pkiDir: o.pkiDir, addressBlock })], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
  const lines = createInterface({ input: child.stdout! });
  const line = await new Promise<string>((resolve, reject) => {
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`the fuzz lab exited (${code}) before it was ready: ${stderr}`)));
  });
  const collectGarbage = () =>
    new Promise<void>((resolve) => {
      // Bounded: a lab that died does not answer (the crash is reported on its own).
      const timer = setTimeout(resolve, 30_000);
      lines.once('line', () => (clearTimeout(timer), resolve()));
      child.kill('SIGUSR2');
    });
  return { child, summary: JSON.parse(line), collectGarbage };
}

/** Runs the seeded fuzz campaign against a lab in a child process; every loop is bounded in count and time. */
export async function runFuzz(o: FuzzOptions): Promise<FuzzReport> {
  const started = Date.now();
  const log = o.log ?? (() => {});
  const limitMs = hangMs(o.timeouts);
  const hello = await captureClientHello();
  const { child, summary, collectGarbage } = await startLabChild(o);
  const crashes: string[] = [];
  child.once('exit', (code, signal) => crashes.push(`lab process exited (${code ?? signal})`));
  const targets: Target[] = [];
  for (const e of summary.endpoints) {
    const kind = kindOf(e);
    if (!kind) continue;
    targets.push({ name: `${e.component}/${e.listener}`, kind, raw: { host: e.bindAddress, port: e.port, tls: e.transport === 'tcp' && (kind === 'soap' || kind === 'rest') }, auth: { guestToken: e.listener === 'guestossvc' ? summary.guestToken : undefined } });
  }
  const admin = new URL(summary.admin.url);
  targets.push({ name: 'admin', kind: 'admin', raw: { host: admin.hostname, port: Number(admin.port), tls: false, hostHeader: admin.host }, auth: {} });
  const chosen = targets.filter((t) => !o.only || t.name.includes(o.only));
  const figures = new Map(chosen.map((t) => [t.name, { listener: t.name, cases: 0, answered: 0, closed: 0, status5xx: 0, serverErrors: [], hangs: [], unanswered: [] } as ListenerFigures]));
  const rand = new Map(chosen.map((t) => [t.name, seededRandom(`${o.seed}/${t.name}`)]));
  const healthFailures: string[] = [];
  const overBand: string[] = [];
  const pid = child.pid!;
  const checkHealth = async (after: string) => {
    for (const t of chosen) {
      const p = await healthProblem(t.kind, t.raw, t.auth, limitMs);
      if (p) healthFailures.push(`${t.name} after ${after}: ${p}`);
    }
  };
  log(`fuzz seed=${o.seed} cases/listener=${o.cases} listeners=${chosen.length} lab pid=${pid}`);
  try {
    await checkHealth('start');
    let baseline = 0;
    let maxRss = rssMiB(pid);
    for (let done = 0; done < o.cases && crashes.length === 0; done += o.batch) {
      const n = Math.min(o.batch, o.cases - done);
      // Interleaved by listener, so no single one takes all the concurrency; cases drawn in a fixed order (reproducible).
      // Each case is named with its number per listener, so a failure is replayed by `fuzz/replay.ts`.
      const work = Array.from({ length: n }, (_, k) => chosen.map((t) => ({ ...makeCase(rand.get(t.name)!, t.kind, t.raw.tls, hello), n: done + k + 1 })))
        .flatMap((row) => row.map((c, i) => [c, chosen[i]!] as const))
        .filter(([c]) => picked(o.pick, c))
        .map(([c, t]) => () => runCase(t, c, figures.get(t.name)!, limitMs));
      await pool(work, o.concurrency, () => (maxRss = Math.max(maxRss, rssMiB(pid))));
      await checkHealth(`cases ${done + 1}-${done + n}`);
      // The trace keeps up to 200,000 events by design (~5 per case here): cleared so the band measures leaks, not the trace.
      await resetLab(summary.admin.url, summary.credentials.admin);
      // Memory held, not garbage awaiting collection: every reading, the baseline too, follows a full GC.
      await collectGarbage();
      // The first batch warms the lab up (compiled code, TLS buffers): the band is measured from there.
      if (baseline === 0) baseline = rssMiB(pid);
      const now = await settledRss(pid, baseline, 1.2, 60_000);
      if (now > baseline * 1.2) overBand.push(`after cases ${done + n}: ${now.toFixed(0)} MiB (baseline ${baseline.toFixed(0)})`);
      log(`  cases ${done + n}/${o.cases} per listener, RSS ${now.toFixed(0)} MiB (baseline ${baseline.toFixed(0)}, max ${maxRss.toFixed(0)}), hangs ${[...figures.values()].reduce((s, f) => s + f.hangs.length, 0)}, unanswered ${[...figures.values()].reduce((s, f) => s + f.unanswered.length, 0)}, health failures ${healthFailures.length}`);
    }
    return {
      seed: o.seed,
      casesPerListener: o.cases,
      listeners: [...figures.values()],
      crashes,
      healthFailures,
      rss: { baselineMiB: Math.round(baseline), maxMiB: Math.round(maxRss), finalMiB: Math.round(rssMiB(pid)), overBand },
      seconds: Math.round((Date.now() - started) / 1000),
    };
  } finally {
    if (child.exitCode === null) {
      child.removeAllListeners('exit');
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
  }
}

/** POST /reset on the admin API: the trace is cleared (no fault is ever set by the fuzzer). */
async function resetLab(url: string, admin: { user: string; password: string } | undefined): Promise<void> {
  const auth = Buffer.from(`${admin?.user}:${admin?.password}`).toString('base64');
  const r = await fetch(`${url}/reset`, { method: 'POST', headers: { authorization: `Basic ${auth}` }, signal: AbortSignal.timeout(30_000) });
  if (!r.ok) throw new Error(`POST /reset answered ${r.status}`);
}

/** Runs the tasks `width` at a time; `tick` after each. */
async function pool(tasks: (() => Promise<void>)[], width: number, tick: () => void): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      await tasks[next++]!();
      tick();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, width) }, worker));
}

export function failed(r: FuzzReport): boolean {
  return r.crashes.length > 0 || r.healthFailures.length > 0 || r.rss.overBand.length > 0 || r.listeners.some((l) => l.hangs.length > 0 || l.unanswered.length > 0);
}
