import { afterAll, beforeAll, expect, test } from 'vitest';
import { MAX_BLOCK_BYTES, sha256Hex } from '../../simulators/core/codecs/cloud-api.ts';
import { parseAnswer, rawConnect, rawExchange, type RawAnswer, type RawTarget } from '../../fuzz/raw-http.ts';
import type { CloudClient } from '../../proxy/clients/cloud/cloud-client.ts';
import { block, startCloudLab, type CloudLab } from './lab.ts';

// PUT /blocks/:hash is served straight off node:http (msw-adapter's direct routes, block-routes.ts
// blockUploadRoute): these pin what a client sees from it on both listeners, written by hand so
// chunked bodies, lying sizes and missing credentials reach the server as sent.

let t: CloudLab;
let p: CloudClient;
beforeAll(async () => {
  t = await startCloudLab({ cache: { syncWindow: { start: '00:00', end: '00:01' } } });
  p = await t.proxy();
});
afterAll(() => t.stop());

const hosts = ['cloud', 'cloudcache'] as const;

function target(component: (typeof hosts)[number]): RawTarget {
  const e = t.lab.endpoints().find((x) => x.component === component && x.transport === 'tcp')!;
  return { host: e.bindAddress, port: e.port, tls: true };
}

const put = (hash: string, headers: string) => `PUT /api/v1/blocks/${hash} HTTP/1.1\r\nhost: lab\r\ncontent-type: application/octet-stream${headers}`;
const bearer = () => `\r\nauthorization: Bearer ${p.token}`;

test.each(hosts)('%s: a chunked upload (no Content-Length) is stored byte for byte', async (component) => {
  const data = block(`chunked-${component}`, 1024 * 1024 + 7);
  const hash = sha256Hex(data);
  // The raw client sends it in 64 KiB chunks: many chunk boundaries that are not block-aligned.
  const a = await sendChunked(target(component), put(hash, bearer()), data);
  expect(a.status).toBe(201);
  expect(a.headers['content-type']).toBe('application/json');
  expect(JSON.parse(a.body)).toEqual({ hash, size: data.length, stored: true });
  const back = await p.withHost(`${component}.lab.test`).downloadBlock(hash);
  expect(back.equals(data)).toBe(true);
});

test.each(hosts)('%s: with Content-Length, stored intact; the same block again is 200 stored=false', async (component) => {
  const data = block(`sized-${component}`, 256 * 1024);
  const hash = sha256Hex(data);
  const first = await rawExchange(target(component), { head: put(hash, `${bearer()}`), body: data, timeoutMs: 60_000 });
  const again = await rawExchange(target(component), { head: put(hash, `${bearer()}`), body: data, timeoutMs: 60_000 });
  expect([first.status, again.status]).toEqual([201, 200]);
  expect(JSON.parse(again.body)).toEqual({ hash, size: data.length, stored: false });
  expect((await p.withHost(`${component}.lab.test`).downloadBlock(hash)).equals(data)).toBe(true);
});

test.each(hosts)('%s: a body that does not hash to its name is 422 hash_mismatch and not stored', async (component) => {
  const data = block(`mismatch-${component}`);
  const named = sha256Hex(block(`named-${component}`));
  const a = await rawExchange(target(component), { head: put(named, `${bearer()}`), body: data, timeoutMs: 60_000 });
  expect(a.status).toBe(422);
  expect(JSON.parse(a.body)).toMatchObject({ code: 'hash_mismatch', details: { expected: named, actual: sha256Hex(data) } });
  expect(await p.withHost(`${component}.lab.test`).missingBlocks([named])).toEqual([named]);
});

test.each(hosts)('%s: no or a forged token is 401 in the JSON form, and the body is drained so keep-alive goes on', async (component) => {
  const data = block(`unauth-${component}`);
  const hash = sha256Hex(data);
  for (const auth of ['', '\r\nauthorization: Bearer forged']) {
    const a = await rawExchange(target(component), { head: put(hash, `${auth}`), body: data, timeoutMs: 60_000 });
    expect(a.status).toBe(401);
    expect(a.headers['www-authenticate']).toBe('Bearer realm="bpsim-cloud"');
    expect(JSON.parse(a.body)).toMatchObject({ code: 'unauthorized' });
    expect(a.headers.connection).not.toBe('close');
  }
  expect(await p.withHost(`${component}.lab.test`).missingBlocks([hash])).toEqual([hash]);
});

test.each(hosts)('%s: over the block limit, 413 by Content-Length and while streaming a chunked body', async (component) => {
  const big = Buffer.alloc(MAX_BLOCK_BYTES + 1, 9);
  const hash = sha256Hex(big);
  const declared = await rawExchange(target(component), { head: put(hash, bearer()), body: big, timeoutMs: 60_000 });
  const streamed = await sendChunked(target(component), put(hash, bearer()), big);
  for (const a of [declared, streamed]) {
    expect(a.status).toBe(413);
    expect(JSON.parse(a.body)).toMatchObject({ code: 'payload_too_large', details: { limit: MAX_BLOCK_BYTES } });
  }
  // Refused mid-stream, the connection closes (reading stops); the server keeps serving.
  expect(streamed.headers.connection).toBe('close');
  expect((await p.withHost(`${component}.lab.test`).uploadBlock(block(`after-413-${component}`))).stored).toBe(true);
});

test('a hash that is not 64 lower-case hex digits still gets 400 invalid_hash (served by the msw route)', async () => {
  const a = await rawExchange(target('cloud'), { head: put('A'.repeat(64), bearer()), body: Buffer.from('abcd'), timeoutMs: 60_000 });
  expect(a.status).toBe(400);
  expect(JSON.parse(a.body)).toMatchObject({ code: 'invalid_hash' });
});

/** One request with `data` as a chunked body (64 KiB chunks, no Content-Length), written whole; the first answer. */
function sendChunked(t: RawTarget, head: string, data: Buffer): Promise<RawAnswer> {
  const parts: Buffer[] = [Buffer.from(`${head}\r\ntransfer-encoding: chunked\r\n\r\n`)];
  for (let at = 0; at < data.length; at += 65536) {
    const c = data.subarray(at, at + 65536);
    parts.push(Buffer.from(`${c.length.toString(16)}\r\n`), c, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from('0\r\n\r\n'));
  return new Promise((resolve) => {
    const socket = rawConnect(t);
    let received = Buffer.alloc(0);
    const finish = (outcome: RawAnswer['outcome']) => {
      socket.destroy();
      resolve({ ...parseAnswer(received), outcome });
    };
    socket.on('data', (d: Buffer) => {
      received = Buffer.concat([received, d]);
      if (parseAnswer(received).complete) finish('answered');
    });
    socket.on('error', () => finish('reset'));
    socket.on('close', () => finish('closed'));
    socket.once('secureConnect', () => socket.end(Buffer.concat(parts)));
  });
}
