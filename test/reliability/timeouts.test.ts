import { describe, test, expect, beforeAll, afterAll } from 'vitest';
import { startTestLab } from '../helpers/lab.ts';
import { inject } from '../guest/helpers.ts';
import { startAdmin, type AdminServer } from '../../simulators/admin/index.ts';
import type { Lab } from '../../simulators/lab.ts';
import { holdConnection, type SlowKind } from '../../fuzz/slow-clients.ts';
import type { RawTarget } from '../../fuzz/raw-http.ts';

// Short deadlines so every listener must give up within a second or two; the test waits far longer
// (60 s) before calling a connection "never closed", so load on the machine cannot fail it.
const TIMEOUTS = { handshakeMs: 400, headersMs: 500, requestMs: 1_000, idleMs: 300 };
const GIVE_UP_MS = 60_000;

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

  test.each<[SlowKind, number | undefined]>([
    ['idle-tcp', undefined],
    ['idle-tls', 408],
    ['slow-headers', 408],
    ['slow-body', 408],
    ['keep-alive-idle', undefined],
  ])('%s', async (kind, status) => {
    const results = await Promise.all(listeners.map(async ([name, t]) => [name, await holdConnection(t, kind, { giveUpMs: GIVE_UP_MS, path: '/api/v1/status' })] as const));
    for (const [name, r] of results) {
      // The admin API is plain HTTP: "idle-tcp" there is an idle connection before any request.
      expect(r.closed, `${name}: still open after ${GIVE_UP_MS} ms`).toBe(true);
      if (status && !(kind === 'idle-tls' && name === 'admin')) expect(r.status, name).toBe(status);
      if (kind === 'keep-alive-idle') expect(r.status, `${name} answered the request before closing`).toBeGreaterThanOrEqual(200);
    }
  });
});
