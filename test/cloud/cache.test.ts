import { afterAll, beforeAll, expect, test } from 'vitest';
import { sha256Hex } from '../../simulators/core/codecs/cloud-api.ts';
import type { CloudClient } from '../../proxy/clients/cloud/cloud-client.ts';
import { apiError, block, startCloudLab, until, type CloudLab } from './lab.ts';

let t: CloudLab;
let cloud: CloudClient;
let cache: CloudClient;
beforeAll(async () => {
  t = await startCloudLab();
  cloud = await t.proxy();
  cache = cloud.withHost('cloudcache.lab.test');
});
afterAll(() => t.stop());

const drained = () => until('the cache to drain', async () => {
  const s = await cache.cacheStatus();
  return s.pendingBlocks === 0 && s;
});

test('write-back: data acknowledged by the cache reaches the cloud over cache -> cloud:443', async () => {
  const blocks = ['wb-1', 'wb-2', 'wb-3'].map((l) => block(l));
  const hashes = blocks.map((b) => sha256Hex(b));
  expect(await cache.missingBlocks(hashes)).toEqual(hashes);
  for (const b of blocks) expect((await cache.uploadBlock(b)).stored).toBe(true);
  const status = await drained();
  expect(status.syncedBlocks).toBeGreaterThanOrEqual(3);
  expect(status.pendingBytes).toBe(0);
  expect(await cloud.missingBlocks(hashes)).toEqual([]);
  expect((await cloud.downloadBlock(hashes[0]!)).equals(blocks[0]!)).toBe(true);
  const hop = t.lab.recorder.find({ kind: 'tls', from: 'cloudcache', to: 'cloud', port: 443 });
  expect(hop.length).toBeGreaterThan(0);
  expect(t.lab.recorder.find({ kind: 'request', from: 'cloudcache', to: 'cloud', summary: `PUT /api/v1/blocks/${hashes[1]}` }).length).toBe(1);
});

test('missing-check at the cache knows blocks already in the cloud', async () => {
  const inCloud = block('only-in-cloud');
  await cloud.uploadBlock(inCloud);
  expect(await cache.missingBlocks([sha256Hex(inCloud)])).toEqual([]);
});

test('read-through: a block only in the cloud is served by the cache', async () => {
  const data = block('read-through');
  const hash = sha256Hex(data);
  await cloud.uploadBlock(data);
  expect((await cache.downloadBlock(hash)).equals(data)).toBe(true);
  expect(t.lab.recorder.find({ kind: 'request', from: 'cloudcache', to: 'cloud', summary: `GET /api/v1/blocks/${hash}` }).length).toBe(1);
  // Kept locally: a second read does not go to the cloud.
  await cache.downloadBlock(hash);
  expect(t.lab.recorder.find({ kind: 'request', from: 'cloudcache', to: 'cloud', summary: `GET /api/v1/blocks/${hash}` }).length).toBe(1);
  expect((await apiError(cache.downloadBlock(sha256Hex(Buffer.from('nowhere'))))).status).toBe(404);
});

test('read-through while the cloud is unavailable is 503 with Retry-After', async () => {
  const data = block('rt-503');
  await cloud.uploadBlock(data);
  t.lab.faults.set({ target: 'cloud', type: 'cloud-unavailable', params: { retryAfterSeconds: 7 }, remaining: 1 });
  const e = await apiError(cache.downloadBlock(sha256Hex(data)));
  expect([e.status, e.retryAfterSeconds]).toEqual([503, 7]);
});

test('sync stalled: data stays pending until the fault clears', async () => {
  const f = t.lab.faults.set({ target: 'cloudcache', type: 'cloudcache-sync-stalled', params: {} });
  const data = block('stalled');
  await cache.uploadBlock(data);
  await new Promise((r) => setTimeout(r, 300));
  const s = await cache.cacheStatus();
  expect([s.pendingBlocks, s.pendingBytes, s.stalled]).toEqual([1, data.length, true]);
  expect(await cloud.missingBlocks([sha256Hex(data)])).toEqual([sha256Hex(data)]);
  t.lab.faults.clear(f.id);
  await drained();
  expect(await cloud.missingBlocks([sha256Hex(data)])).toEqual([]);
});

test('sync window closed: nothing syncs; opening it syncs', async () => {
  const now = new Date();
  const hhmm = (d: Date) => `${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}`;
  const later = new Date(now.getTime() + 2 * 3600_000);
  t.lab.world.cloudcache!.configure({ syncWindow: { start: hhmm(later), end: hhmm(new Date(later.getTime() + 3600_000)) } });
  const data = block('window');
  await cache.uploadBlock(data);
  await new Promise((r) => setTimeout(r, 300));
  const s = await cache.cacheStatus();
  expect(s.window.open).toBe(false);
  expect(s.pendingBlocks).toBe(1);
  t.lab.world.cloudcache!.configure({ syncWindow: null });
  await drained();
});

test('cache offline: connections are refused; the cloud still takes data directly', async () => {
  const f = t.lab.faults.set({ target: 'cloudcache', type: 'cloudcache-offline', params: {} });
  try {
    const e = await apiError(cache.uploadBlock(block('offline')));
    expect(e.status).toBe(0);
    expect((await cloud.uploadBlock(block('offline'))).stored).toBe(true);
  } finally {
    t.lab.faults.clear(f.id);
  }
  expect((await cache.uploadBlock(block('back-online'))).stored).toBe(true);
});

test('the cache checks credentials and serves no metadata', async () => {
  const forged = cache.withHost('cloudcache.lab.test');
  forged.token = 'forged';
  const e = await apiError(forged.cacheStatus());
  expect([e.status, e.code]).toEqual([401, 'unauthorized']);
  expect((await apiError(cache.putManifest({ vm: { id: 'vm-1' }, disks: [] }))).status).toBe(404);
});

test('block-corrupted at the cache: a synced block is re-read from the cloud, never served wrong', async () => {
  const data = block('cache-rot');
  const hash = sha256Hex(data);
  await cache.uploadBlock(data);
  await drained();
  t.lab.faults.set({ target: 'cloudcache', type: 'block-corrupted', params: { hash }, remaining: 1 });
  expect((await cache.downloadBlock(hash)).equals(data)).toBe(true);
  expect(t.lab.recorder.find({ kind: 'request', from: 'cloudcache', to: 'cloud', summary: `GET /api/v1/blocks/${hash}` }).length).toBe(1);
  // Not yet synced and corrupted: lost, reported as such.
  const f = t.lab.faults.set({ target: 'cloudcache', type: 'cloudcache-sync-stalled', params: {} });
  const fresh = block('cache-rot-unsynced');
  await cache.uploadBlock(fresh);
  t.lab.faults.set({ target: 'cloudcache', type: 'block-corrupted', params: { hash: sha256Hex(fresh) }, remaining: 1 });
  const e = await apiError(cache.downloadBlock(sha256Hex(fresh)));
  expect([e.status, e.code]).toEqual([500, 'block_corrupted']);
  t.lab.faults.clear(f.id);
});
