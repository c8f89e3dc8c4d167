import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { randomBytes } from 'node:crypto';
import { CoreLab } from '../../simulators/core/lab.ts';
import { applyConnectionFault, validateConnectionFault, FaultParamsError } from '../../simulators/core/net/conn-faults.ts';
import { TEST_PKI_DIR } from '../helpers/lab.ts';
import { echoTcpComponent, type EchoStats } from './echo-tcp-component.ts';
import { exchange } from './client.ts';
import { connect } from 'node:net';
import type { FaultInput } from '../../simulators/core/faults/registry.ts';

let lab: CoreLab<unknown>;
const stats: EchoStats = { rawSocket: [] };
const tcp = () => lab.endpoint('echo', 'tcp');
const tlsEp = () => lab.endpoint('echo', 'tls');
const tls = () => ({ ca: lab.ca.cert });

beforeAll(async () => {
  lab = await CoreLab.create({}, { pkiDir: TEST_PKI_DIR, tlsHandshakeTimeoutMs: 2_000 });
  await lab.start([echoTcpComponent(stats)]);
});
afterAll(() => lab?.stop());

/** Runs `body` with a fault set, and always clears it. */
async function withFault<T>(input: Omit<FaultInput, 'params'> & { params?: Record<string, unknown> }, body: () => Promise<T>): Promise<T> {
  const fault = lab.faults.set({ params: {}, ...input });
  try {
    return await body();
  } finally {
    lab.faults.clear(fault.id);
  }
}

async function expectNormalService(): Promise<void> {
  const data = randomBytes(4096);
  const plain = await exchange(tcp(), data);
  expect(plain.error).toBeUndefined();
  expect(plain.received.equals(data)).toBe(true);
  const secure = await exchange(tlsEp(), data, { tls: tls() });
  expect(secure.error).toBeUndefined();
  expect(secure.received.equals(data)).toBe(true);
}

describe('connection faults over real sockets', () => {
  test('without a fault the handler gets the raw socket (no wrapper on the data path)', async () => {
    stats.rawSocket.length = 0;
    await expectNormalService();
    expect(stats.rawSocket).toEqual([true]);
    await withFault({ target: 'echo:tcp', type: 'latency', params: { ms: 1 } }, () => exchange(tcp(), Buffer.from('x')));
    expect(stats.rawSocket).toEqual([true, false]);
  });

  test('latency holds each direction at least the configured delay; upstream-only holds one', async () => {
    const both = await withFault({ target: 'echo', type: 'latency', params: { ms: 120 } }, () => exchange(tcp(), Buffer.from('ping')));
    expect(both.error).toBeUndefined();
    expect(both.received.toString()).toBe('ping');
    expect(both.elapsedMs).toBeGreaterThanOrEqual(240);
    const up = await withFault({ target: 'echo', type: 'latency', params: { ms: 120, direction: 'upstream' } }, () => exchange(tcp(), Buffer.from('ping')));
    expect(up.received.toString()).toBe('ping');
    expect(up.elapsedMs).toBeGreaterThanOrEqual(120);
    const jitter = await withFault({ target: 'echo', type: 'latency', params: { ms: 100, jitterMs: 40 } }, () => exchange(tcp(), randomBytes(2000)));
    expect(jitter.received.length).toBe(2000);
    expect(jitter.elapsedMs).toBeGreaterThanOrEqual(120);
    await expectNormalService();
  });

  test('a client that half-closes still gets every delayed byte before the FIN', async () => {
    const data = randomBytes(30_000);
    const received = await withFault({ target: 'echo:tcp', type: 'latency', params: { ms: 80 } }, () =>
      new Promise<Buffer>((resolve, reject) => {
        const chunks: Buffer[] = [];
        const s = connect({ host: tcp().bindAddress, port: tcp().port }, () => s.end(data));
        const timer = setTimeout(() => reject(new Error('no FIN from the server')), 10_000);
        s.on('data', (d) => chunks.push(d));
        s.once('error', reject);
        s.once('end', () => {
          clearTimeout(timer);
          resolve(Buffer.concat(chunks));
        });
      }),
    );
    expect(received.equals(data)).toBe(true);
  });

  test('bandwidth: N bytes at R bytes/s take at least N/R, and arrive intact', async () => {
    const data = randomBytes(100_000);
    const r = await withFault({ target: 'echo', type: 'bandwidth', params: { bytesPerSecond: 200_000 } }, () => exchange(tcp(), data));
    expect(r.error).toBeUndefined();
    expect(r.received.equals(data)).toBe(true);
    expect(r.elapsedMs).toBeGreaterThanOrEqual(500);
    await expectNormalService();
  });

  test('reset-after: the client sees ECONNRESET and never more than N bytes', async () => {
    const r = await withFault({ target: 'echo', type: 'reset-after', params: { bytes: 10_000, direction: 'downstream' } }, () =>
      exchange(tcp(), randomBytes(50_000)),
    );
    expect(r.error).toBe('ECONNRESET');
    expect(r.received.length).toBeLessThanOrEqual(10_000);
    expect(lab.recorder.find({ kind: 'fault', summary: /reset after 10000 bytes/ }).length).toBe(1);
    // Counted over both directions by default: 6000 up + 6000 echoed back passes 10000.
    const both = await withFault({ target: 'echo', type: 'reset-after', params: { bytes: 10_000 } }, () => exchange(tcp(), randomBytes(6_000)));
    expect(both.error).toBe('ECONNRESET');
    expect(both.received.length).toBeLessThanOrEqual(4_000);
    await expectNormalService();
  });

  test('slice: data arrives intact in many small reads', async () => {
    const data = randomBytes(3000);
    const r = await withFault({ target: 'echo:tcp', type: 'slice', params: { size: 100, delayMs: 3, direction: 'downstream' } }, () => exchange(tcp(), data));
    expect(r.error).toBeUndefined();
    expect(r.received.equals(data)).toBe(true);
    expect(r.reads.length).toBeGreaterThanOrEqual(15);
    expect(Math.max(...r.reads.map((b) => b.length))).toBeLessThanOrEqual(100);
    await expectNormalService();
  });

  test('refuse: the connection is reset at once, and remaining counts connections', async () => {
    lab.faults.set({ target: 'echo:tcp', type: 'refuse', params: {}, remaining: 2 });
    for (let i = 0; i < 2; i++) {
      const r = await exchange(tcp(), Buffer.from('hello'));
      expect(['ECONNRESET', 'closed', 'EPIPE']).toContain(r.error);
      expect(r.received.length).toBe(0);
    }
    // The third connection finds the fault used up.
    await expectNormalService();
  });

  test('blackhole: no answer, only the client deadline ends it', async () => {
    const r = await withFault({ target: 'echo', type: 'blackhole' }, () => exchange(tcp(), Buffer.from('anyone?'), { timeoutMs: 400 }));
    expect(r.error).toBe('timeout');
    expect(r.received.length).toBe(0);
    await expectNormalService();
  });

  test('TLS still works through latency and slice (the handshake itself is delayed and sliced)', async () => {
    const data = randomBytes(20_000);
    const slow = await withFault({ target: 'echo:tls', type: 'latency', params: { ms: 60 } }, () => exchange(tlsEp(), data, { tls: tls() }));
    expect(slow.error).toBeUndefined();
    expect(slow.received.equals(data)).toBe(true);
    expect(slow.elapsedMs).toBeGreaterThanOrEqual(120);
    const sliced = await withFault({ target: 'echo:tls', type: 'slice', params: { size: 7, delayMs: 0 } }, () => exchange(tlsEp(), data, { tls: tls() }));
    expect(sliced.error).toBeUndefined();
    expect(sliced.received.equals(data)).toBe(true);
    const [tlsEvent] = lab.recorder.find({ kind: 'tls', to: 'echo' }).slice(-1);
    expect(tlsEvent?.tls?.version).toMatch(/^TLSv1\.[23]$/);
  });

  test('a listener target leaves the other listeners alone', async () => {
    await withFault({ target: 'echo:tls', type: 'refuse' }, async () => {
      const plain = await exchange(tcp(), Buffer.from('still here'));
      expect(plain.received.toString()).toBe('still here');
      const secure = await exchange(tlsEp(), Buffer.from('x'), { tls: tls() });
      expect(secure.error).toBeDefined();
    });
  });

  test('a fault set with bad params resets the connection and says why in the trace', async () => {
    const r = await withFault({ target: 'echo:tcp', type: 'bandwidth', params: { bytesPerSecond: 'fast' } }, () => exchange(tcp(), Buffer.from('x')));
    expect(r.received.length).toBe(0);
    const [err] = lab.recorder.find({ kind: 'error', summary: /bandwidth: bytesPerSecond must be a number/ });
    expect(err?.summary).toContain('connection reset');
    await expectNormalService();
  });
});

describe('connection fault params', () => {
  test.each([
    ['latency', {}, 'ms is required'],
    ['latency', { ms: -1 }, 'ms must be at least 0'],
    ['latency', { ms: 5, direction: 'sideways' }, 'direction must be one of upstream, downstream, both'],
    ['bandwidth', { bytesPerSecond: 0 }, 'bytesPerSecond must be at least 1'],
    ['bandwidth', { bytesPerSec: 10 }, 'bytesPerSec is not a parameter of bandwidth'],
    ['reset-after', { bytes: 1.5 }, 'bytes must be a whole number'],
    ['slice', { size: 0 }, 'size must be at least 1'],
    ['refuse', { ms: 1 }, 'ms is not a parameter of refuse'],
  ] as const)('%s %j is rejected naming the field', (type, params, message) => {
    expect(() => validateConnectionFault(type, params)).toThrow(FaultParamsError);
    expect(() => validateConnectionFault(type, params)).toThrow(message);
  });

  test('valid params pass, and an unknown type leaves the socket alone', () => {
    expect(() => validateConnectionFault('slice', { size: 1, delayMs: 0, direction: 'upstream' })).not.toThrow();
    const fake = {} as never;
    expect(applyConnectionFault(fake, { id: 'x', target: 'a', type: 'cbt-reset', params: {} })).toBe(fake);
  });
});
