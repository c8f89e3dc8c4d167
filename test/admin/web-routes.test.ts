import { describe, test, expect, beforeAll, afterAll } from 'vitest';
import type { Lab } from '../../simulators/lab.ts';
import { startAdmin, type AdminServer } from '../../simulators/admin/index.ts';
import { labWebRunners } from '../../bin/web/runners.ts';
import { FAULT_CATALOG } from '../../scenarios/fault-catalog.ts';
import { bundledScenarios } from '../../scenarios/bundled.ts';
import { startTestLab } from '../helpers/lab.ts';

let lab: Lab;
let withRunners: AdminServer;
let bare: AdminServer;

function call(server: AdminServer, path: string, init: RequestInit = {}): Promise<Response> {
  const auth = Buffer.from('admin:bpsim').toString('base64');
  return fetch(server.url + path, { ...init, headers: { authorization: `Basic ${auth}`, 'content-type': 'application/json', ...init.headers } });
}
const post = (server: AdminServer, path: string, body: unknown) => call(server, path, { method: 'POST', body: JSON.stringify(body) });

beforeAll(async () => {
  lab = await startTestLab();
  withRunners = await startAdmin(lab, { runners: labWebRunners(lab) });
  bare = await startAdmin(lab);
});
afterAll(async () => {
  await lab.stop();
});

describe('the web view and its routes', () => {
  test('GET / and the page files are served with their types; unknown files are 404 JSON, never a path on disk', async () => {
    const page = await call(bare, '/');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await page.text()).toContain('<script type="module" src="/web/app.js">');
    for (const [file, type] of [['app.js', 'text/javascript'], ['chain.js', 'text/javascript'], ['style.css', 'text/css']]) {
      const res = await call(bare, `/web/${file}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain(type);
    }
    for (const file of ['..%2Fruntime.ts', 'nope.js', '%2e%2e%2f%2e%2e%2fpackage.json']) {
      const res = await call(bare, `/web/${file}`);
      expect(res.status).toBe(404);
      expect((await res.json()).code).toBe('not_found');
    }
  });

  test('without runners, running jobs, the scenario list and the fault catalog answer 501 with a reason', async () => {
    for (const [method, path] of [['POST', '/jobs'], ['GET', '/scenarios'], ['GET', '/faults/catalog']] as const) {
      const res = await call(bare, path, { method, ...(method === 'POST' ? { body: '{"plan":"demo"}' } : {}) });
      expect(res.status).toBe(501);
      expect((await res.json()).message).toMatch(/not available/);
    }
  });

  test('the catalog and the scenario list are the bundled ones', async () => {
    expect((await (await call(withRunners, '/faults/catalog')).json()).faults).toEqual(FAULT_CATALOG);
    expect((await (await call(withRunners, '/scenarios')).json()).scenarios.map((s: { name: string }) => s.name)).toEqual(bundledScenarios().map((s) => s.name));
  });

  test('POST /jobs refuses what it cannot run with a 400 that says why, and queues nothing', async () => {
    const cases: [unknown, RegExp][] = [
      [{}, /send \{"plan": "demo"\}/],
      [{ plan: 'other' }, /unknown plan "other"/],
      [{ jobs: [] }, /send/],
      [{ jobs: [{ type: 'format-disk' }] }, /jobs\[0\]\.type must be one of vm-backup/],
      [{ jobs: [{ type: 'vm-backup', params: [1] }] }, /jobs\[0\]\.params must be an object/],
      [{ jobs: [{ type: 'vm-backup', proxy: 'other' }] }, /jobs\[0\]\.proxy may only be "standalone"/],
    ];
    for (const [body, message] of cases) {
      const res = await post(withRunners, '/jobs', body);
      expect(res.status).toBe(400);
      expect((await res.json()).message).toMatch(message);
    }
    expect(lab.world.cloud!.jobs.list()).toEqual([]);
  });

  test('POST /jobs runs a job with the in-process proxy; GET /jobs shows it through to its result', async () => {
    const res = await post(withRunners, '/jobs', { jobs: [{ type: 'vm-backup', params: { vm: 'vault01' } }] });
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ accepted: 1, steps: ['vm-backup {"vm":"vault01"}'] });
    await expect.poll(async () => (await (await call(withRunners, '/jobs')).json()).jobs.map((j: { state: string }) => j.state), { timeout: 120_000, interval: 200 }).toEqual(['succeeded']);
    const [job] = (await (await call(withRunners, '/jobs')).json()).jobs;
    expect(job).toMatchObject({ type: 'vm-backup', params: { vm: 'vault01' }, proxyName: 'proxy-01', result: { vm: 'vault01', kind: 'full' } });
  });

  test('GET /trace/mermaid draws the asked range only; a bad bound is a 400', async () => {
    const events = lab.recorder.events.filter((e) => e.kind === 'request');
    const one = events.at(-1)!;
    const text = await (await call(withRunners, `/trace/mermaid?from=${one.seq}&to=${one.seq}`)).text();
    expect(text.split('\n').filter((l) => l.includes('->>'))).toHaveLength(1);
    expect(text).toContain(one.summary.slice(0, 20));
    const bad = await call(withRunners, '/trace/mermaid?from=abc');
    expect(bad.status).toBe(400);
    expect((await bad.json()).message).toMatch(/from must be a trace sequence number/);
  });
});
