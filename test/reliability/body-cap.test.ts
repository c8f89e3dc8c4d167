import { describe, test, expect, beforeAll, afterAll } from 'vitest';
import { startBpsimUp, type RunningUp } from '../helpers/bpsim-up.ts';
import { rawExchange, type RawTarget } from '../../fuzz/raw-http.ts';
import { rssMiB, settledRss } from '../../fuzz/rss.ts';
import { client, inject, startGuestLab, type GuestLab } from '../guest/helpers.ts';

const MB30 = 30 * 1000 * 1000;

function target(up: RunningUp, component: string): RawTarget {
  const e = up.summary.endpoints.find((x) => x.component === component && x.transport === 'tcp')!;
  return { host: e.bindAddress, port: e.port, tls: true };
}

const post = (path: string, extra = '') => `POST ${path} HTTP/1.1\r\nhost: lab\r\ncontent-type: application/json${extra}`;

// A lab in its own process, so its memory is measured alone (the test process holds the 30 MB bodies).
describe('oversized bodies get 413 and leave no memory behind', () => {
  let up: RunningUp;
  beforeAll(async () => {
    // This machine may be loaded far past its cores: a generous handshake deadline keeps the test about bodies.
    up = await startBpsimUp({ args: ['--timeouts', 'handshake=120000'] });
  });
  afterAll(async () => {
    await up?.stop();
  });

  test('100 concurrent 30 MB bodies to the cloud: all 413 in the JSON error form, RSS back within +20%', async () => {
    const cloud = target(up, 'cloud');
    const send = () => rawExchange(cloud, { head: post('/api/v1/activate'), body: { size: MB30 }, timeoutMs: 120_000 });
    // Warm-up: code paths compiled and TLS buffers pooled before the baseline is taken.
    const warm = await Promise.all(Array.from({ length: 10 }, send));
    for (const a of warm) expect(a.status).toBe(413);
    const baseline = rssMiB(up.child.pid!);
    const answers = await Promise.all(Array.from({ length: 100 }, send));
    expect(answers.map((a) => a.status)).toEqual(Array(100).fill(413));
    const first = answers[0]!;
    expect(first.headers.connection).toBe('close');
    expect(JSON.parse(first.body)).toMatchObject({ code: 'payload_too_large', message: expect.stringContaining(String(MB30)) });
    // Returns as soon as memory is back; the 120 s bound only leaves a loaded machine time to collect.
    const after = await settledRss(up.child.pid!, baseline, 1.2, 120_000);
    expect(after, `RSS ${after.toFixed(0)} MiB vs baseline ${baseline.toFixed(0)} MiB`).toBeLessThanOrEqual(baseline * 1.2);
  });

  test('chunked bodies (no Content-Length) are counted while streaming: 413 at the cap, lab still serves', async () => {
    for (const component of ['cloud', 'cloudcache']) {
      const t = target(up, component);
      const path = component === 'cloud' ? '/api/v1/activate' : '/api/v1/blocks/missing';
      const answers = await Promise.all(Array.from({ length: 4 }, () => rawExchange(t, { head: post(path), body: { size: MB30, chunked: true }, timeoutMs: 120_000 })));
      expect(answers.map((a) => a.status), component).toEqual([413, 413, 413, 413]);
      // Unauthenticated but well-formed: the listener answers normally after the flood.
      const ok = await rawExchange(t, { head: post(path), body: Buffer.from('{}'), timeoutMs: 30_000 });
      expect(ok.status, component).toBeGreaterThanOrEqual(400);
      expect(ok.status, component).toBeLessThan(500);
    }
  });

  test('the admin API refuses a 30 MB body before credentials are checked', async () => {
    const url = new URL(up.summary.admin.url);
    const t = { host: url.hostname, port: Number(url.port), tls: false, hostHeader: url.host };
    const a = await rawExchange(t, { head: post('/faults'), body: { size: MB30 }, timeoutMs: 60_000 });
    expect(a.status).toBe(413);
    expect(JSON.parse(a.body)).toMatchObject({ code: 'payload_too_large' });
  });
});

describe('guestossvc: a JSON route caps at 1 MiB even though the listener takes 512 MiB streams', () => {
  let g: GuestLab;
  beforeAll(async () => {
    g = await startGuestLab();
  });
  afterAll(async () => {
    await g?.lab.stop();
  });

  test('30 MB to a JSON route: 413 {code: too-large}, connection closed, service still answers', async () => {
    const { bundle } = await inject(g.lab, 'sql01');
    const e = g.lab.endpoints().find((x) => x.listener === 'guestossvc')!;
    const t = { host: e.bindAddress, port: e.port, tls: true };
    for (const chunked of [false, true]) {
      const a = await rawExchange(t, { head: post('/api/v1/backups', `\r\nauthorization: Bearer ${bundle.token}`), body: { size: MB30, chunked }, timeoutMs: 60_000 });
      expect(a.status).toBe(413);
      expect(JSON.parse(a.body)).toMatchObject({ code: 'too-large' });
      expect(a.headers.connection).toBe('close');
    }
    expect((await client(g.lab, "sql01", bundle.token).status()).service).toBeDefined();
  });
});
