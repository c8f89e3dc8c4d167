import { describe, test, expect, beforeAll, afterAll } from 'vitest';
import { startTestLab, proxyNetFor } from '../helpers/lab.ts';
import { inject } from '../guest/helpers.ts';
import { startAdmin, type AdminServer } from '../../simulators/admin/index.ts';
import type { Lab } from '../../simulators/lab.ts';
import { mergeCredentials } from '../../simulators/credentials.ts';
import { HttpsClient } from '../../proxy/net/https-client.ts';
import { CloudClient } from '../../proxy/clients/cloud/cloud-client.ts';
import { rawExchange, type RawTarget } from '../../fuzz/raw-http.ts';

const ADMIN = mergeCredentials().admin!;
const adminAuth = `authorization: Basic ${Buffer.from(`${ADMIN.user}:${ADMIN.password}`).toString('base64')}`;
/** 200,000 levels: parses, but overflowed the stack in everything done with it afterwards. */
const DEEP = '{"a":' + '['.repeat(200_000) + ']'.repeat(200_000) + '}';

let lab: Lab;
let admin: AdminServer;
let proxyToken: string;
let guestToken: string;
const targets: Record<string, RawTarget> = {};

beforeAll(async () => {
  lab = await startTestLab({ without: ['vcenter', 'esxi', 'ntp'] });
  admin = await startAdmin(lab);
  guestToken = (await inject(lab, 'sql01')).bundle.token;
  const http = new HttpsClient(proxyNetFor(lab));
  const cloud = new CloudClient({ http, host: 'cloud.lab.test', retry: { attempts: 1 } });
  await cloud.activate(mergeCredentials().cloud!.password, 'proxy-bad-requests');
  proxyToken = cloud.token!;
  http.close();
  const tls = (component: string, listener?: string) => {
    const e = lab.endpoints().find((x) => x.component === component && (listener === undefined || x.listener === listener) && x.transport === 'tcp')!;
    return { host: e.bindAddress, port: e.port, tls: true };
  };
  targets.cloud = tls('cloud');
  targets.cloudcache = tls('cloudcache');
  targets.guestossvc = tls('guest-sql01', 'guestossvc');
  const u = new URL(admin.url);
  // The admin API answers only loopback Host names (DNS-rebinding defence, 421 otherwise).
  targets.admin = { host: u.hostname, port: Number(u.port), tls: false, hostHeader: u.host };
});
afterAll(async () => {
  await admin?.stop();
  await lab?.stop();
});

const send = (t: RawTarget, head: string, body?: string) => rawExchange(t, { head, body: body === undefined ? undefined : Buffer.from(body), timeoutMs: 30_000 });

describe('methods no route has: 405 with Allow, not a 500', () => {
  test.each(['cloud', 'cloudcache', 'guestossvc', 'admin'])('%s: TRACE and PROPFIND', async (name) => {
    for (const method of ['TRACE', 'PROPFIND']) {
      const a = await send(targets[name]!, `${method} /api/v1/status HTTP/1.1\r\nhost: lab`);
      expect(a.status, `${name} ${method}`).toBe(405);
      expect(a.headers.allow, name).toMatch(/\bGET\b/);
      expect(a.headers.allow, name).not.toMatch(/TRACE/);
      expect(JSON.parse(a.body).code, name).toMatch(/^method.not.allowed$/);
    }
  });
});

describe('malformed percent-encoding: 400 before credentials', () => {
  test('admin GET /faults/% and cloud GET /api/v1/jobs/%', async () => {
    const a = await send(targets.admin!, 'GET /faults/% HTTP/1.1\r\nhost: lab');
    expect([a.status, JSON.parse(a.body).code]).toEqual([400, 'bad_request']);
    const c = await send(targets.cloud!, 'GET /api/v1/jobs/% HTTP/1.1\r\nhost: cloud.lab.test');
    expect([c.status, JSON.parse(c.body).code]).toEqual([400, 'bad_request']);
    const g = await send(targets.guestossvc!, 'GET /api/v1/operations/%E0%A4%A HTTP/1.1\r\nhost: lab');
    expect([g.status, JSON.parse(g.body).code]).toEqual([400, 'bad-request']);
  });
});

describe('a request Fetch cannot represent: 400, not a 500', () => {
  test('a Host header that is no URL authority (found by the fuzzer)', async () => {
    for (const name of ['cloud', 'guestossvc']) {
      const a = await send(targets[name]!, 'GET /api/v1/status HTTP/1.1\r\nhost: lab applicatype: application/json');
      expect(a.status, name).toBe(400);
      expect(JSON.parse(a.body).message, name).toMatch(/cannot be read/);
    }
    // The admin API refuses any Host that is not a loopback name before reading further.
    const a = await send({ ...targets.admin!, hostHeader: undefined }, 'GET /faults HTTP/1.1\r\nhost: lab applicatype: application/json');
    expect(a.status, JSON.stringify(a)).toBe(421);
    expect(JSON.parse(a.body).code).toBe('misdirected_host');
  });
});

describe('JSON nested 200,000 deep: 400 with a clear message, nothing stored', () => {
  const json = 'content-type: application/json';
  test.each([
    ['cloud', 'POST /api/v1/activate', ''],
    ['cloud', 'POST /api/v1/heartbeat', 'proxy'],
    ['cloud', 'POST /api/v1/manifests', 'proxy'],
    ['cloud', 'POST /api/v1/jobs', 'admin'],
    ['cloud', 'POST /api/v1/catalog/sql', 'proxy'],
    ['cloudcache', 'POST /api/v1/blocks/missing', 'proxy'],
    ['guestossvc', 'POST /api/v1/backups', 'guest'],
  ])('%s %s', async (name, route, who) => {
    const auth = who === 'proxy' ? `\r\nauthorization: Bearer ${proxyToken}` : who === 'guest' ? `\r\nauthorization: Bearer ${guestToken}` : who === 'admin' ? `\r\n${adminAuth}` : '';
    const a = await send(targets[name]!, `${route} HTTP/1.1\r\nhost: lab\r\n${json}${auth}`, DEEP);
    expect(a.status, a.body).toBe(400);
    expect(JSON.parse(a.body).message).toMatch(/nested deeper than 64 levels/);
  });

  test('admin POST /faults: refused, and GET /faults still answers with no fault stored', async () => {
    const before = await send(targets.admin!, `GET /faults HTTP/1.1\r\nhost: lab\r\n${adminAuth}`);
    const deep = JSON.stringify({ target: 'cloud', type: 'refuse', params: {} }).replace('{}', '{"x":' + '['.repeat(200_000) + ']'.repeat(200_000) + '}');
    const a = await send(targets.admin!, `POST /faults HTTP/1.1\r\nhost: lab\r\n${adminAuth}\r\n${json}`, deep);
    expect([a.status, JSON.parse(a.body).code]).toEqual([400, 'bad_request']);
    const after = await send(targets.admin!, `GET /faults HTTP/1.1\r\nhost: lab\r\n${adminAuth}`);
    expect(after.status).toBe(200);
    expect(JSON.parse(after.body)).toEqual(JSON.parse(before.body));
  });
});
