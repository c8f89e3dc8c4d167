import { afterAll, beforeAll, expect, test } from 'vitest';
import { sha256Hex, MAX_BLOCK_BYTES } from '../../simulators/core/codecs/cloud-api.ts';
import type { CloudClient } from '../../proxy/clients/cloud/cloud-client.ts';
import { apiError, block, startCloudLab, type CloudLab } from './lab.ts';

let t: CloudLab;
let p: CloudClient;
beforeAll(async () => {
  t = await startCloudLab({ cache: false });
  p = await t.proxy();
});
afterAll(() => t.stop());

test('dedup: the same data uploaded twice is stored once', async () => {
  const data = block('dedup');
  const before = await p.storage();
  const first = await p.uploadBlock(data);
  const second = await p.uploadBlock(data);
  expect(first).toEqual({ hash: sha256Hex(data), size: data.length, stored: true });
  expect(second.stored).toBe(false);
  const after = await p.storage();
  expect(after.blocks - before.blocks).toBe(1);
  expect(after.bytes - before.bytes).toBe(data.length);
});

test('missing-check, download (verified) and HEAD', async () => {
  const a = block('a');
  const b = block('b');
  await p.uploadBlock(a);
  expect(await p.missingBlocks([sha256Hex(a), sha256Hex(b)])).toEqual([sha256Hex(b)]);
  expect((await p.downloadBlock(sha256Hex(a))).equals(a)).toBe(true);
  expect(await p.blockSize(sha256Hex(a))).toBe(a.length);
  expect(await p.blockSize(sha256Hex(b))).toBeUndefined();
  const e = await apiError(p.downloadBlock(sha256Hex(b)));
  expect([e.status, e.code]).toEqual([404, 'not_found']);
});

test('a body that does not hash to its name is rejected with 422 and not stored', async () => {
  const good = block('good');
  const e = await apiError(p.uploadBlock(block('other'), sha256Hex(good)));
  expect([e.status, e.code]).toEqual([422, 'hash_mismatch']);
  expect(await p.missingBlocks([sha256Hex(good)])).toEqual([sha256Hex(good)]);
});

test('bad hashes are 400, oversized blocks and batches 413', async () => {
  expect((await apiError(p.uploadBlock(block('x'), 'NOT-A-HASH'))).status).toBe(400);
  expect((await apiError(p.missingBlocks(['abc']))).code).toBe('invalid_hash');
  const big = Buffer.alloc(MAX_BLOCK_BYTES + 1, 7);
  const e = await apiError(p.uploadBlock(big));
  expect([e.status, e.code]).toEqual([413, 'payload_too_large']);
  const r = await t.http.request({
    host: 'cloud.lab.test', method: 'POST', path: '/api/v1/blocks/missing',
    headers: { authorization: `Bearer ${p.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ hashes: Array.from({ length: 10_001 }, (_, i) => sha256Hex(Buffer.from(String(i)))) }),
  });
  expect(r.status).toBe(413);
  // The server keeps serving after the refused uploads.
  expect((await p.uploadBlock(block('after-413'))).stored).toBe(true);
});

test('cloud-unavailable: 503 with Retry-After; the client waits and retries', async () => {
  t.lab.faults.set({ target: 'cloud', type: 'cloud-unavailable', params: { retryAfterSeconds: 1 }, remaining: 1 });
  const e = await apiError(p.storage());
  expect([e.status, e.code, e.retryAfterSeconds]).toEqual([503, 'unavailable', 1]);
  t.lab.faults.set({ target: 'cloud', type: 'cloud-unavailable', params: { retryAfterSeconds: 1, count: 2 } });
  const patient = p.withHost('cloud.lab.test', { attempts: 4, deadlineMs: 10_000 });
  expect((await patient.uploadBlock(block('after-503'))).stored).toBe(true);
  expect(t.lab.recorder.find({ kind: 'response', to: 'cloud', summary: /^503 PUT/ }).length).toBe(2);
  // A Retry-After beyond the deadline fails at once instead of sleeping past it.
  t.lab.faults.set({ target: 'cloud', type: 'cloud-unavailable', params: { retryAfterSeconds: 3600 }, remaining: 1 });
  expect((await apiError(patient.storage())).status).toBe(503);
});

test('cloud-quota-exceeded: new data is refused with 403 quota_exceeded, known data still deduplicates', async () => {
  const known = block('known');
  await p.uploadBlock(known);
  const f = t.lab.faults.set({ target: 'cloud', type: 'cloud-quota-exceeded', params: {} });
  try {
    const e = await apiError(p.uploadBlock(block('new-under-quota')));
    expect([e.status, e.code]).toEqual([403, 'quota_exceeded']);
    expect((await p.uploadBlock(known)).stored).toBe(false);
  } finally {
    t.lab.faults.clear(f.id);
  }
});

test('block-corrupted: a block damaged at rest is an error on read, then reads as missing and can be re-uploaded', async () => {
  const data = block('rot');
  const hash = sha256Hex(data);
  await p.uploadBlock(data);
  t.lab.faults.set({ target: 'cloud', type: 'block-corrupted', params: { hash }, remaining: 1 });
  const e = await apiError(p.downloadBlock(hash));
  expect([e.status, e.code]).toEqual([500, 'block_corrupted']);
  expect(await p.missingBlocks([hash])).toEqual([hash]);
  expect((await p.uploadBlock(data)).stored).toBe(true);
  expect((await p.downloadBlock(hash)).equals(data)).toBe(true);
});
