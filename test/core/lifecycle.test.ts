import { describe, test, expect } from 'vitest';
import { createServer } from 'node:net';
import { createSocket } from 'node:dgram';
import { randomInt } from 'node:crypto';
import { CoreLab } from '../../simulators/core/lab.ts';
import { TEST_PKI_DIR, startTestLab } from '../helpers/lab.ts';
import { echoComponent } from '../helpers/echo-component.ts';
import { tryConnect } from '../helpers/sockets.ts';

function occupy(host: string, port: number): Promise<() => Promise<void>> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ host, port }, () => resolve(() => new Promise((r) => server.close(() => r()))));
  });
}

describe('lab lifecycle', () => {
  test('a port already in use fails the start with component, address and port, and stops what had started', async () => {
    const block = `127.${randomInt(16, 250)}.${randomInt(0, 250)}`;
    const lab = await CoreLab.create({}, { pkiDir: TEST_PKI_DIR, addressBlock: block, ports: 'real' });
    // The first component gets .1, the second .2: take the second one's port first.
    const release = await occupy(`${block}.2`, 443);
    try {
      await expect(lab.start([echoComponent('first'), echoComponent('second')])).rejects.toThrow(
        `cannot start second (https) on ${block}.2:443: the port is already in use`,
      );
      // "first" had started; the failed start must have stopped it.
      expect(await tryConnect(`${block}.1`, 443)).toBe('ECONNREFUSED');
      expect(lab.endpoints()).toEqual([]);
    } finally {
      await release();
    }
  });

  test('stop() frees every listener: TCP connects are refused and UDP ports can be bound again', async () => {
    const lab = await startTestLab();
    const endpoints = lab.endpoints();
    expect(endpoints.length).toBeGreaterThan(0);
    for (const e of endpoints.filter((x) => x.transport === 'tcp')) {
      expect(await tryConnect(e.bindAddress, e.port), `${e.component}:${e.listener} before stop`).toBe('connected');
    }
    await lab.stop();
    for (const e of endpoints) {
      if (e.transport === 'tcp') {
        expect(await tryConnect(e.bindAddress, e.port), `${e.component}:${e.listener} after stop`).toBe('ECONNREFUSED');
      } else {
        const s = createSocket('udp4');
        await new Promise<void>((resolve, reject) => {
          s.once('error', reject);
          s.bind({ address: e.bindAddress, port: e.port, exclusive: true }, () => resolve());
        });
        s.close();
      }
    }
    await lab.stop(); // idempotent
  });

  test('two labs run side by side on their own address blocks', async () => {
    const [a, b] = await Promise.all([startTestLab(), startTestLab()]);
    try {
      expect(a.addresses.block).not.toBe(b.addresses.block);
      expect(a.endpoints().length).toBe(b.endpoints().length);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });

  test('single-host mode puts every listener on 127.0.0.1 with distinct ports, reachable by name through the NetMap', async () => {
    const lab = await startTestLab({ singleHost: true });
    try {
      const eps = lab.endpoints();
      expect(eps.every((e) => e.bindAddress === '127.0.0.1')).toBe(true);
      const keys = eps.map((e) => `${e.transport}/${e.port}`);
      expect(new Set(keys).size).toBe(keys.length);
      for (const e of eps) {
        expect(lab.netmap.resolve(e.hostname, e.realPort)).toMatchObject({ address: '127.0.0.1', port: e.port });
      }
    } finally {
      await lab.stop();
    }
  });

  test('offset mode moves privileged ports up by 10000', async () => {
    const lab = await startTestLab({ ports: 'offset' });
    try {
      for (const e of lab.endpoints()) {
        expect(e.port).toBe(e.realPort < 1024 ? e.realPort + 10_000 : e.realPort);
      }
    } finally {
      await lab.stop();
    }
  });
});
