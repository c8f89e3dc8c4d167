import { describe, test, expect, beforeAll, afterAll } from 'vitest';
import { startTestLab } from '../helpers/lab.ts';
import { inject } from '../guest/helpers.ts';
import { startAdmin, type AdminServer } from '../../simulators/admin/index.ts';
import type { Lab } from '../../simulators/lab.ts';
import type { Endpoint } from '../../simulators/core/types.ts';
import type { ServerTimeouts } from '../../simulators/core/net/timeouts.ts';
import { holdConnection, type SlowKind } from '../../fuzz/slow-clients.ts';
import type { RawTarget } from '../../fuzz/raw-http.ts';
import { connectRaw, idleUntilClosed, startTls } from '../helpers/idle-close.ts';

// Short deadlines (lab options) so every listener gives up within a second or two. Each test checks
// that the server closed the connection and not before the configured time; it waits far longer
// (60 s) before calling a connection "never closed", and asserts no upper bound, so load on the
// machine cannot fail it.
const TIMEOUTS: Required<Pick<ServerTimeouts, 'handshakeMs' | 'headersMs' | 'requestMs' | 'idleMs' | 'authdCommandMs' | 'rdpRequestMs' | 'sshIdentMs'>> = {
  handshakeMs: 400,
  headersMs: 500,
  requestMs: 1_000,
  idleMs: 300,
  authdCommandMs: 600,
  rdpRequestMs: 500,
  sshIdentMs: 700,
};
const GIVE_UP_MS = 60_000;
/** libuv's timer clock counts whole milliseconds: a deadline may fire up to 1 ms before performance.now() says. */
const CLOCK_MS = 2;

let lab: Lab;
let admin: AdminServer;
const listeners: [string, RawTarget][] = [];

beforeAll(async () => {
  lab = await startTestLab({ without: ['ntp'], timeouts: TIMEOUTS });
  admin = await startAdmin(lab);
  await inject(lab, 'sql01');
  for (const e of lab.endpoints()) {
    if (e.url?.startsWith('https:')) listeners.push([`${e.component}/${e.listener}`, { host: e.bindAddress, port: e.port, tls: true }]);
  }
  const u = new URL(admin.url);
  listeners.push(['admin', { host: u.hostname, port: Number(u.port), tls: false, hostHeader: u.host }]);
});
afterAll(async () => {
  await admin?.stop();
  await lab?.stop();
});

describe('every HTTPS listener (and the admin API) closes idle and slow connections at its configured deadlines', () => {
  test('the lab serves vCenter, ESXi, cloud, CloudCache and guestossvc over HTTPS', () => {
    const names = listeners.map(([n]) => n.split('/')[0]);
    for (const want of ['vcenter', 'esxi-01', 'cloud', 'cloudcache', 'guest-sql01', 'admin']) expect(names).toContain(want);
  });

  // The deadline each kind runs into, counted from the connection's start at the latest.
  test.each<[SlowKind, number | undefined, (admin: boolean) => number]>([
    // The admin API is plain HTTP: "idle-tcp" there is an idle connection before any request (headers deadline).
    ['idle-tcp', undefined, (plain) => (plain ? TIMEOUTS.headersMs : TIMEOUTS.handshakeMs)],
    ['idle-tls', 408, () => TIMEOUTS.headersMs],
    ['slow-headers', 408, () => TIMEOUTS.headersMs],
    ['slow-body', 408, () => TIMEOUTS.requestMs],
    ['keep-alive-idle', undefined, () => TIMEOUTS.idleMs],
  ])('%s', async (kind, status, deadline) => {
    const results = await Promise.all(listeners.map(async ([name, t]) => [name, await holdConnection(t, kind, { giveUpMs: GIVE_UP_MS, path: '/api/v1/status' })] as const));
    for (const [name, r] of results) {
      expect(r.closed, `${name}: still open after ${GIVE_UP_MS} ms`).toBe(true);
      expect(r.elapsedMs, `${name}: closed before its deadline`).toBeGreaterThanOrEqual(deadline(name === 'admin') - CLOCK_MS);
      if (status && !(kind === 'idle-tls' && name === 'admin')) expect(r.status, name).toBe(status);
      if (kind === 'keep-alive-idle') expect(r.status, `${name} answered the request before closing`).toBeGreaterThanOrEqual(200);
    }
  });
});

describe('plain-TCP listeners close idle connections after their configured times (lab options)', () => {
  const endpoint = (listener: string): Endpoint => {
    const e = lab.endpoints().find((x) => x.listener === listener && x.transport === 'tcp');
    if (!e) throw new Error(`no ${listener} listener in the lab`);
    return e;
  };
  /**
   * The lab's own record of why it closed this client's connection: proves the configured option,
   * not a built-in default, was the deadline (without timing the close from above).
   */
  const closeReason = (localPort: number | undefined) =>
    lab.recorder.events.filter((ev) => ev.kind === 'error' && ev.from.endsWith(`:${localPort}`)).map((ev) => ev.summary);
  const banner = (prefix: string) => (seen: Buffer) => seen.includes('\n') && seen.toString('latin1').startsWith(prefix);

  test('authd (902): no command after the banner', async () => {
    const e = endpoint('authd');
    const since = performance.now();
    const { socket } = await connectRaw(e.bindAddress, e.port, banner('220 '));
    const port = socket.localPort;
    const r = await idleUntilClosed(socket, since, GIVE_UP_MS);
    expect(r.closed, 'still open').toBe(true);
    expect(r.idleMs).toBeGreaterThanOrEqual(TIMEOUTS.authdCommandMs - CLOCK_MS);
    expect(closeReason(port)).toEqual([`authd: no command within ${TIMEOUTS.authdCommandMs} ms; closing`]);
  });

  test('authd (902): TLS started, then no command', async () => {
    const e = endpoint('authd');
    const { socket } = await connectRaw(e.bindAddress, e.port, banner('220 '));
    const port = socket.localPort;
    // Counted from before TLS starts: the server's clock starts later, so this never undercounts.
    const since = performance.now();
    const tls = await startTls(socket);
    const r = await idleUntilClosed(tls, since, GIVE_UP_MS);
    expect(r.closed, 'still open').toBe(true);
    expect(r.idleMs).toBeGreaterThanOrEqual(TIMEOUTS.authdCommandMs - CLOCK_MS);
    expect(closeReason(port)).toEqual([`authd: no command within ${TIMEOUTS.authdCommandMs} ms; closing`]);
  });

  test('authd (902): a TLS handshake that stops after its first bytes (the lab handshake deadline)', async () => {
    const e = endpoint('authd');
    const { socket } = await connectRaw(e.bindAddress, e.port, banner('220 '));
    // The first bytes of a TLS 1.2 ClientHello record: a handshake that never finishes.
    socket.write(Buffer.from('16030100ff010000fb0303', 'hex'));
    const since = performance.now();
    const port = socket.localPort;
    const r = await idleUntilClosed(socket, since, GIVE_UP_MS);
    expect(r.closed, 'still open').toBe(true);
    expect(r.idleMs).toBeGreaterThanOrEqual(TIMEOUTS.handshakeMs - CLOCK_MS);
    expect(closeReason(port)).toEqual([`TLS handshake failed: TLS handshake not finished within ${TIMEOUTS.handshakeMs} ms`]);
  });

  test('RDP probe (3389): no X.224 Connection Request', async () => {
    const e = endpoint('rdp');
    const since = performance.now();
    const { socket } = await connectRaw(e.bindAddress, e.port);
    const port = socket.localPort;
    const r = await idleUntilClosed(socket, since, GIVE_UP_MS);
    expect(r.closed, 'still open').toBe(true);
    expect(r.idleMs).toBeGreaterThanOrEqual(TIMEOUTS.rdpRequestMs - CLOCK_MS);
    expect(closeReason(port)).toEqual([`bad RDP Connection Request: nothing complete within ${TIMEOUTS.rdpRequestMs} ms; closing`]);
    expect(r.received.length, 'nothing is sent to a silent client').toBe(0);
  });

  test('SSH probe (22): no identification line from the client', async () => {
    const e = endpoint('ssh');
    const since = performance.now();
    const { socket, first } = await connectRaw(e.bindAddress, e.port, banner('SSH-2.0-'));
    const port = socket.localPort;
    const r = await idleUntilClosed(socket, since, GIVE_UP_MS, first);
    expect(r.closed, 'still open').toBe(true);
    expect(r.idleMs).toBeGreaterThanOrEqual(TIMEOUTS.sshIdentMs - CLOCK_MS);
    expect(closeReason(port)).toEqual([`bad SSH identification: nothing complete within ${TIMEOUTS.sshIdentMs} ms; closing`]);
    expect(r.received.toString('latin1')).toMatch(/^SSH-2\.0-/);
  });
});
