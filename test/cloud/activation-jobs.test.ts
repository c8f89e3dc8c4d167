import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ACTIVATION, ADMIN, apiError, startCloudLab, type CloudLab } from './lab.ts';

let t: CloudLab;
beforeAll(async () => {
  t = await startCloudLab({ cache: false });
});
afterAll(() => t.stop());

describe('activation', () => {
  test('activation token -> bearer credentials that work; each proxy name once', async () => {
    const r = await t.anon.activate(ACTIVATION, 'proxy-act-1');
    expect(r.tokenType).toBe('Bearer');
    expect(r.token.length).toBeGreaterThan(20);
    const beat = await t.anon.heartbeat({ version: '1.0' });
    expect(Date.parse(beat.serverTime)).not.toBeNaN();
    const again = await apiError(t.anon.withHost('cloud.lab.test').activate(ACTIVATION, 'proxy-act-1'));
    expect([again.status, again.code]).toEqual([409, 'already_activated']);
  });

  test('wrong activation token is 403, missing or unknown bearer is 401', async () => {
    const c = t.anon.withHost('cloud.lab.test');
    c.token = undefined;
    expect((await apiError(c.activate('NOT-THE-TOKEN', 'proxy-x'))).status).toBe(403);
    expect((await apiError(c.heartbeat())).status).toBe(401);
    c.token = 'forged-token';
    const e = await apiError(c.heartbeat());
    expect([e.status, e.code]).toEqual([401, 'unauthorized']);
  });

  test('malformed activation body is 400', async () => {
    const r = await t.http.request({ host: 'cloud.lab.test', method: 'POST', path: '/api/v1/activate', headers: { 'content-type': 'application/json' }, body: '{"activationToken":' });
    expect(r.status).toBe(400);
    expect(r.json()).toMatchObject({ code: 'invalid_json' });
  });
});

describe('jobs', () => {
  const admin = { authorization: `Basic ${Buffer.from(`${ADMIN.user}:${ADMIN.password}`).toString('base64')}`, 'content-type': 'application/json' };

  test('round trip: queued over HTTP, claimed, progress, result', async () => {
    const p = await t.proxy();
    const queued = await t.http.request({ host: 'cloud.lab.test', method: 'POST', path: '/api/v1/jobs', headers: admin, body: JSON.stringify({ type: 'backup', params: { vm: 'vm-42' } }) });
    expect(queued.status).toBe(201);
    const id = queued.json<{ id: string }>().id;
    const job = await p.claimJob();
    expect(job).toMatchObject({ id, state: 'running', type: 'backup', params: { vm: 'vm-42' } });
    expect((await p.reportProgress(id, 40, 'reading disks')).progress).toEqual({ percent: 40, message: 'reading disks' });
    const done = await p.reportResult(id, { status: 'succeeded', result: { bytes: 123 } });
    expect(done).toMatchObject({ state: 'succeeded', result: { bytes: 123 } });
    expect((await t.lab.world.cloud!.waitForJob(id, 1000)).state).toBe('succeeded');
    const late = await apiError(p.reportResult(id, { status: 'failed', error: { message: 'x' } }));
    expect([late.status, late.code]).toEqual([409, 'job_not_running']);
    expect(await p.claimJob()).toBeUndefined();
  });

  test('a pool: one job per proxy, the rest wait in order; others may not touch a job', async () => {
    const [a, b] = [await t.proxy(), await t.proxy()];
    const cloud = t.lab.world.cloud!;
    const ids = [1, 2, 3].map((n) => cloud.queueJob({ type: 'backup', params: { n } }).id);
    const ja = (await a.claimJob())!;
    const jb = (await b.claimJob())!;
    expect([ja.id, jb.id]).toEqual(ids.slice(0, 2));
    const busy = await apiError(a.claimJob());
    expect([busy.status, busy.code]).toEqual([409, 'proxy_busy']);
    expect(cloud.job(ids[2]!)!.state).toBe('queued');
    const foreign = await apiError(a.reportProgress(jb.id, 10));
    expect(foreign.status).toBe(403);
    await a.reportResult(ja.id, { status: 'failed', error: { code: 'snapshot', message: 'quiesce failed' } });
    expect((await a.claimJob())!.id).toBe(ids[2]);
    expect((await apiError(a.getJob('job-nope'))).status).toBe(404);
    await b.reportResult(jb.id, { status: 'succeeded' });
    await a.reportResult(ids[2]!, { status: 'succeeded' });
  });

  test('jobs aimed at one proxy go only to it; queueing needs admin credentials', async () => {
    const [a, b] = [await t.proxy('pool-a'), await t.proxy('pool-b')];
    const id = t.lab.world.cloud!.queueJob({ type: 'restore', targetProxy: 'pool-b' }).id;
    expect(await a.claimJob()).toBeUndefined();
    expect((await b.claimJob())!.id).toBe(id);
    await b.reportResult(id, { status: 'succeeded' });
    const r = await t.http.request({ host: 'cloud.lab.test', method: 'POST', path: '/api/v1/jobs', headers: { authorization: `Bearer ${a.token}` }, body: '{"type":"backup"}' });
    expect(r.status).toBe(403);
    const bad = await t.http.request({ host: 'cloud.lab.test', method: 'POST', path: '/api/v1/jobs', headers: admin, body: '{"params":{}}' });
    expect(bad.status).toBe(400);
  });
});
