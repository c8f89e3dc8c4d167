import { afterAll, beforeAll, expect, test } from 'vitest';
import { CloudApiError } from '../../proxy/clients/cloud/errors.ts';
import { startCloudLab, type CloudLab } from './lab.ts';

let t: CloudLab;
let now = Date.parse('2026-11-01T00:00:00Z');
const advance = (seconds: number) => void (now += seconds * 1000);
beforeAll(async () => {
  t = await startCloudLab({ cache: false, lab: { clock: () => now } });
});
afterAll(() => t?.stop());

test('a claim is a 60 s lease: heartbeats and progress renew it; when it lapses the job is queued again, another proxy takes it, the first one gets 409 lease_expired', async () => {
  const a = await t.proxy('proxy-a');
  const b = await t.proxy('proxy-b');
  const queued = t.lab.world.cloud!.queueJob({ type: 'vm-backup', params: { vm: 'web01' } });
  const claimed = (await a.claimJob())!;
  expect(claimed).toMatchObject({ id: queued.id, state: 'running', proxyName: 'proxy-a', leaseSeconds: 60 });

  // Renewed by a heartbeat at 50 s and by progress at 100 s: still proxy-a's at 150 s.
  advance(50);
  await a.heartbeat({ state: 'busy' });
  advance(50);
  await a.reportProgress(queued.id, 40);
  advance(50);
  expect(await b.claimJob()).toBeUndefined();
  expect(await a.getJob(queued.id)).toMatchObject({ state: 'running', proxyName: 'proxy-a' });

  // proxy-a goes silent: 61 s later the job is back in the queue and proxy-b takes it.
  advance(61);
  const taken = (await b.claimJob())!;
  expect(taken).toMatchObject({ id: queued.id, state: 'running', proxyName: 'proxy-b', expiredLeases: [{ proxyName: 'proxy-a' }] });
  const late = await a.reportResult(queued.id, { status: 'succeeded' }).then(() => undefined, (e: unknown) => e);
  expect(late).toBeInstanceOf(CloudApiError);
  expect(late).toMatchObject({ status: 409, code: 'lease_expired' });
  expect(await b.reportResult(queued.id, { status: 'succeeded' })).toMatchObject({ state: 'succeeded', proxyName: 'proxy-b' });
});
