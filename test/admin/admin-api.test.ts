import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { X509Certificate } from 'node:crypto';
import { CoreLab } from '../../simulators/core/lab.ts';
import { startAdmin, setScenarioRunner, AdminError, type AdminServer } from '../../simulators/admin/index.ts';
import { TEST_PKI_DIR } from '../helpers/lab.ts';
import { run } from '../helpers/run.ts';
import { tryConnect } from '../helpers/sockets.ts';
import { echoTcpComponent } from '../faults/echo-tcp-component.ts';
import { exchange } from '../faults/client.ts';
import { ADMIN_AUTH, CountingBus, readSseUntil, waitFor } from './helpers.ts';

let lab: CoreLab<unknown>;
let admin: AdminServer;
let bus: CountingBus;

const api = (path: string, init: RequestInit = {}) =>
  fetch(admin.url + path, { ...init, headers: { ...ADMIN_AUTH, 'content-type': 'application/json', ...(init.headers as Record<string, string>) } });
const post = (path: string, body: unknown) => api(path, { method: 'POST', body: JSON.stringify(body) });

beforeAll(async () => {
  bus = new CountingBus();
  lab = await CoreLab.create({}, { pkiDir: TEST_PKI_DIR, trace: bus, tlsHandshakeTimeoutMs: 2_000 });
  await lab.start([echoTcpComponent()]);
  admin = await startAdmin(lab, { keepAliveMs: 200, healthTimeoutMs: 500 });
});
afterAll(() => lab?.stop());

describe('admin API (in-process lab, driven over HTTP)', () => {
  test('binds loopback with an OS-chosen port, and refuses other addresses', async () => {
    expect(admin.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    await expect(startAdmin(lab, { host: '0.0.0.0' })).rejects.toThrow('loopback only');
  });

  test('GET /health probes every listener without credentials, from the "admin" address', async () => {
    const r = await fetch(admin.url + '/health');
    expect(r.status).toBe(200);
    const health = await r.json();
    expect(health.status).toBe('ok');
    const [echo] = health.components;
    expect(echo).toMatchObject({ component: 'echo', state: 'up' });
    expect(echo.listeners.map((l: { listener: string; probe: string }) => [l.listener, l.probe])).toEqual([
      ['tcp', 'connect'],
      ['tls', 'tls'],
    ]);
    expect(lab.recorder.find({ kind: 'tls', from: 'admin', to: 'echo' }).length).toBeGreaterThan(0);
  });

  test('health stands aside for a faulted listener (keeps its remaining count) and reports a dead one as down', async () => {
    const f = lab.faults.set({ target: 'echo:tcp', type: 'refuse', params: {}, remaining: 1 });
    const health = await (await fetch(admin.url + '/health')).json();
    expect(health.status).toBe('faulted');
    expect(health.components[0].listeners[0]).toMatchObject({ state: 'faulted', fault: { id: f.id, type: 'refuse' } });
    expect(lab.faults.list()).toHaveLength(1);
    lab.faults.clear();
    const other = await CoreLab.create({}, { pkiDir: TEST_PKI_DIR });
    await other.start([echoTcpComponent()]);
    const otherAdmin = await startAdmin(other, { healthTimeoutMs: 500 });
    const ep = other.endpoint('echo', 'tcp');
    const listener = [...(other as unknown as { running: Map<string, { listeners: Set<{ identity: { listener: string }; close(): Promise<void> }> }> }).running.get('echo')!.listeners].find(
      (l) => l.identity.listener === 'tcp',
    )!;
    await listener.close();
    expect(await tryConnect(ep.bindAddress, ep.port)).toBe('ECONNREFUSED');
    const r = await fetch(otherAdmin.url + '/health');
    expect(r.status).toBe(503);
    const down = await r.json();
    expect(down.status).toBe('down');
    expect(down.components[0].listeners[0]).toMatchObject({ listener: 'tcp', state: 'down', error: 'ECONNREFUSED' });
    await other.stop();
    // Stopping the lab stopped its admin API too.
    expect(await fetch(otherAdmin.url + '/health').catch((e: Error) => e.message)).toBe('fetch failed');
  });

  test('401 with a Basic challenge without or with wrong credentials', async () => {
    for (const headers of <Record<string, string>[]>[{}, { authorization: 'Basic ' + Buffer.from('admin:nope').toString('base64') }, { authorization: 'Bearer x' }]) {
      const r = await fetch(admin.url + '/topology', { headers });
      expect(r.status).toBe(401);
      expect(r.headers.get('www-authenticate')).toContain('Basic');
      expect((await r.json()).code).toBe('unauthorized');
    }
  });

  test('GET /topology lists the endpoints as bpsim up --json does; GET /ca.pem is the lab CA', async () => {
    const topo = await (await api('/topology')).json();
    expect(topo.endpoints.map((e: { listener: string }) => e.listener)).toEqual(['tcp', 'tls']);
    expect(topo.endpoints[1]).toMatchObject({ component: 'echo', hostname: 'echo.lab.test', port: lab.endpoint('echo', 'tls').port, sha1: expect.any(String) });
    const ca = await api('/ca.pem');
    expect(ca.headers.get('content-type')).toBe('application/x-pem-file');
    const pem = await ca.text();
    const cert = new X509Certificate(pem);
    expect(cert.ca).toBe(true);
    expect(cert.fingerprint256).toBe(new X509Certificate(lab.ca.cert).fingerprint256);
    // A client that trusts only the downloaded CA verifies the lab's TLS listener.
    const verified = await exchange(lab.endpoint('echo', 'tls'), Buffer.from('trust'), { tls: { ca: pem } });
    expect(verified.error).toBeUndefined();
    expect(verified.received.toString()).toBe('trust');
  });

  test('GET /inventory is 404 for a lab without a vSphere world', async () => {
    const r = await api('/inventory');
    expect(r.status).toBe(404);
    expect((await r.json()).code).toBe('no_inventory');
  });

  test('POST /faults sets a connection fault; the SSE stream shows it firing when a client connects; DELETE clears it', async () => {
    const stream = await api('/trace/stream?kind=fault');
    expect(stream.headers.get('content-type')).toContain('text/event-stream');
    const created = await post('/faults', { target: 'echo:tcp', type: 'latency', params: { ms: 50 } });
    expect(created.status).toBe(201);
    const fault = await created.json();
    expect(fault).toMatchObject({ id: expect.any(String), target: 'echo:tcp', type: 'latency', params: { ms: 50 } });
    expect(created.headers.get('location')).toBe(`/faults/${fault.id}`);
    expect((await (await api('/faults')).json()).faults).toEqual([fault]);

    const seen = readSseUntil(stream.body!, (e) => e.kind === 'fault' && e.to === 'echo');
    const r = await exchange(lab.endpoint('echo', 'tcp'), Buffer.from('hi'));
    expect(r.received.toString()).toBe('hi');
    const { event } = await seen;
    expect(event).toMatchObject({ kind: 'fault', to: 'echo', summary: 'connection fault latency', data: { fault: { id: fault.id } } });

    const del = await api(`/faults/${fault.id}`, { method: 'DELETE' });
    expect(del.status).toBe(204);
    expect((await (await api('/faults')).json()).faults).toEqual([]);
    const again = await api(`/faults/${fault.id}`, { method: 'DELETE' });
    expect(again.status).toBe(404);
    expect((await again.json()).code).toBe('unknown_fault');
  });

  test.each([
    [{ target: 'nosuch', type: 'refuse' }, 404, 'unknown_target', 'no component "nosuch"'],
    [{ target: 'echo:nosuch', type: 'refuse' }, 404, 'unknown_target', 'has no listener "nosuch" (it has: tcp, tls)'],
    [{ target: 'echo', type: 'latency', params: { ms: 'slow' } }, 400, 'bad_params', 'latency: ms must be a number'],
    [{ target: 'echo', type: 'bandwidth', params: {} }, 400, 'bad_params', 'bytesPerSecond is required'],
    [{ target: 'echo', type: 'Not A Type' }, 400, 'bad_request', 'kebab-case'],
    [{ type: 'refuse' }, 400, 'bad_request', 'target is required'],
    [{ target: 'echo', type: 'refuse', remaining: 0 }, 400, 'bad_request', 'remaining must be a whole number'],
    [{ target: 'echo', type: 'refuse', colour: 'red' }, 400, 'bad_request', 'unknown field "colour"'],
  ])('POST /faults %j -> %i %s', async (body, status, code, message) => {
    const r = await post('/faults', body);
    expect(r.status).toBe(status);
    const err = await r.json();
    expect(err.code).toBe(code);
    expect(err.message).toContain(message);
    expect(lab.faults.list()).toEqual([]);
  });

  test('bad JSON and bad trace filters are 400; unknown routes 404; all as {code, message}', async () => {
    const bad = await api('/faults', { method: 'POST', body: '{"target":' });
    expect(bad.status).toBe(400);
    expect((await bad.json()).message).toContain('not valid JSON');
    for (const q of ['kind=nope', 'since=-1', 'colour=red']) {
      const r = await api(`/trace?${q}`);
      expect(r.status).toBe(400);
      expect(await r.json()).toMatchObject({ code: 'bad_request', message: expect.any(String) });
    }
    const missing = await api('/nope');
    expect(missing.status).toBe(404);
    expect((await missing.json()).code).toBe('not_found');
  });

  test('a protocol fault list, when given, rejects unknown types', async () => {
    const strict = await startAdmin(lab, { protocolFaults: ['cbt-reset'] });
    try {
      const auth = { ...ADMIN_AUTH, 'content-type': 'application/json' };
      const ok = await fetch(strict.url + '/faults', { method: 'POST', headers: auth, body: JSON.stringify({ target: 'echo', type: 'cbt-reset' }) });
      expect(ok.status).toBe(201);
      const bad = await fetch(strict.url + '/faults', { method: 'POST', headers: auth, body: JSON.stringify({ target: 'echo', type: 'cbt-rest' }) });
      expect(bad.status).toBe(400);
      expect((await bad.json()).code).toBe('unknown_fault_type');
    } finally {
      lab.faults.clear();
      await strict.stop();
    }
  });

  test('GET /trace is JSONL with kind/from/to/since filters', async () => {
    await exchange(lab.endpoint('echo', 'tcp'), Buffer.from('x'));
    const all = (await (await api('/trace')).text()).trim().split('\n').map((l) => JSON.parse(l));
    expect(all.length).toBeGreaterThan(3);
    const connects = (await (await api('/trace?kind=connect,close&to=echo')).text()).trim().split('\n').map((l) => JSON.parse(l));
    expect(new Set(connects.map((e) => e.kind))).toEqual(new Set(['connect', 'close']));
    expect(connects.every((e) => e.to === 'echo')).toBe(true);
    const last = all[all.length - 1].seq;
    const after = await (await api(`/trace?since=${last - 1}`)).text();
    // Events of the closing connection may follow; none from before `since`.
    const seqs = after.trim().split('\n').map((l) => JSON.parse(l).seq as number);
    expect(seqs[0]).toBe(last);
    expect(seqs.every((s) => s >= last)).toBe(true);
    expect(await (await api('/trace?from=nobody')).text()).toBe('');
  });

  test('the SSE stream replays from since / Last-Event-ID, sends keep-alives, and lets go when the client leaves', async () => {
    const before = bus.active;
    const last = lab.recorder.events[lab.recorder.events.length - 1]!.seq;
    const ac = new AbortController();
    const r = await api('/trace/stream', { signal: ac.signal, headers: { 'last-event-id': String(last - 1) } });
    const { event, text } = await readSseUntil(r.body!, (e) => e.seq === last);
    expect(event?.seq).toBe(last);
    expect(text).toContain(`id: ${last}\n`);
    const more = await readSseUntil(r.body!, () => false, 600);
    expect(more.text).toContain(': keep-alive');
    expect(bus.active).toBe(before + 1);
    ac.abort();
    await waitFor(() => bus.active === before);
  });

  test('POST /reset clears faults and trace; POST /scenarios/run is 501 until a runner is installed', async () => {
    lab.faults.set({ target: 'echo', type: 'slice', params: { size: 1 } });
    const reset = await (await post('/reset', {})).json();
    expect(reset.faultsCleared).toBe(1);
    expect(reset.traceEventsCleared).toBeGreaterThan(0);
    expect(lab.faults.list()).toEqual([]);
    expect(lab.recorder.events.map((e) => e.kind)).toEqual(['note']);

    const none = await post('/scenarios/run', { scenario: 'vm-backup' });
    expect(none.status).toBe(501);
    expect((await none.json()).code).toBe('not_implemented');
    setScenarioRunner(async (l, req) => {
      if (req.scenario !== 'known') throw new AdminError(404, 'unknown_scenario', `no scenario ${String(req.scenario)}`);
      return { scenario: req.scenario, passed: true, components: l.endpoints().length };
    });
    try {
      expect(await (await post('/scenarios/run', { scenario: 'known' })).json()).toEqual({ scenario: 'known', passed: true, components: 2 });
      const unknown = await post('/scenarios/run', { scenario: 'other' });
      expect(unknown.status).toBe(404);
      expect((await unknown.json()).code).toBe('unknown_scenario');
    } finally {
      setScenarioRunner(undefined);
    }
  });

  test('curl (the real binary) speaks to it: health, 401, set and clear a fault', async () => {
    const health = await run('curl', ['-s', '--max-time', '10', `${admin.url}/health`]);
    expect(JSON.parse(health.stdout).status).toBe('ok');
    const denied = await run('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', `${admin.url}/faults`]);
    expect(denied.stdout).toBe('401');
    const set = await run('curl', ['-s', '-u', 'admin:bpsim', '-H', 'content-type: application/json', '-d', '{"id":"curl-1","target":"echo:tls","type":"refuse"}', `${admin.url}/faults`]);
    expect(JSON.parse(set.stdout)).toMatchObject({ id: 'curl-1', type: 'refuse' });
    const refused = await exchange(lab.endpoint('echo', 'tls'), Buffer.from('x'), { tls: { ca: lab.ca.cert } });
    expect(refused.error).toBeDefined();
    const del = await run('curl', ['-s', '-u', 'admin:bpsim', '-X', 'DELETE', '-w', '%{http_code}', `${admin.url}/faults/curl-1`]);
    expect(del.stdout).toBe('204');
    const ok = await exchange(lab.endpoint('echo', 'tls'), Buffer.from('x'), { tls: { ca: lab.ca.cert } });
    expect(ok.received.toString()).toBe('x');
  });

  test('an open event stream ends when the lab stops', async () => {
    const other = await CoreLab.create({}, { pkiDir: TEST_PKI_DIR });
    await other.start([echoTcpComponent()]);
    const otherAdmin = await startAdmin(other);
    const r = await fetch(otherAdmin.url + '/trace/stream', { headers: ADMIN_AUTH });
    const reading = readSseUntil(r.body!, () => false, 20_000);
    await other.stop();
    const { text } = await reading;
    expect(text.startsWith(': bpsim trace stream')).toBe(true);
  });
});
