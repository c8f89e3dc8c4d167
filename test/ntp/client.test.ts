import { describe, test, expect } from 'vitest';
import { CoreLab } from '../../simulators/core/lab.ts';
import { decodeNtp, encodeNtp, refIdFrom } from '../../simulators/core/codecs/ntp.ts';
import { ProxyNet } from '../../proxy/net/proxy-net.ts';
import { sntpQuery, SntpError } from '../../proxy/clients/ntp/sntp-client.ts';
import { startNtpLab } from './ntp-lab.ts';
import { TEST_PKI_DIR } from '../helpers/lab.ts';
import type { NtpServerOptions } from '../../simulators/ntp/options.ts';

async function withNtp<T>(options: NtpServerOptions, body: (c: Awaited<ReturnType<typeof startNtpLab>>) => Promise<T>): Promise<T> {
  const c = await startNtpLab(options);
  try {
    return await body(c);
  } finally {
    await c.lab.stop();
  }
}

describe('proxy SNTP client against the lab server', () => {
  test('default server: stratum 2, no offset, usable, traced from the proxy', () =>
    withNtp({}, async ({ lab, net }) => {
      const r = await sntpQuery(net, 'ntp.lab.test');
      expect(r).toMatchObject({ stratum: 2, leap: 'no-leap', usable: true, refId: '192.0.2.1', version: 4 });
      expect(Math.abs(r.offsetMs)).toBeLessThan(50);
      expect(r.delayMs).toBeGreaterThanOrEqual(0);
      const [req] = lab.recorder.find({ kind: 'request', to: 'ntp' });
      expect(req).toMatchObject({ from: 'proxy', port: 123, protocol: 'sntp', summary: 'SNTP request v4' });
      expect(lab.recorder.find({ kind: 'response', summary: 'SNTP reply stratum 2 offset +0 ms' })).toHaveLength(1);
    }));

  test('configured offset, stratum and reference id', () =>
    withNtp({ offsetMs: -2500, stratum: 1, refId: 'PPS' }, async ({ net }) => {
      const r = await sntpQuery(net, 'ntp.lab.test');
      expect(Math.abs(r.offsetMs + 2500)).toBeLessThan(50);
      expect(r).toMatchObject({ stratum: 1, refId: 'PPS', usable: true });
    }));

  test('unsynchronized option: LI=3 reported, not usable', () =>
    withNtp({ unsynchronized: true }, async ({ net }) => {
      const r = await sntpQuery(net, 'ntp.lab.test');
      expect(r).toMatchObject({ leap: 'unsync', usable: false, stratum: 2 });
      expect(r.problem).toMatch(/not synchronized/);
    }));

  test.each(['RATE', 'DENY'] as const)('Kiss-o\'-Death %s option', (kod) =>
    withNtp({ kod }, async ({ net }) => {
      const r = await sntpQuery(net, 'ntp.lab.test');
      expect(r).toMatchObject({ stratum: 0, kod, refId: kod, usable: false });
    }));

  test('silent option: rejects with a timeout error', () =>
    withNtp({ silent: true }, async ({ lab, net }) => {
      await expect(sntpQuery(net, 'ntp.lab.test', { timeoutMs: 300 })).rejects.toMatchObject({ code: 'TIMEOUT', message: /no SNTP reply from ntp\.lab\.test within 300 ms/ });
      expect(lab.recorder.find({ kind: 'note', summary: /no reply/ })).toHaveLength(1);
    }));

  test('faults at run time: skew, kod, unsynchronized, silent, each consumed per packet', () =>
    withNtp({ offsetMs: 1000 }, async ({ lab, net }) => {
      lab.faults.set({ target: 'ntp', type: 'ntp-skew', params: { offsetMs: 7000 }, remaining: 1 });
      expect(Math.abs((await sntpQuery(net, 'ntp.lab.test')).offsetMs - 7000)).toBeLessThan(50);
      expect(Math.abs((await sntpQuery(net, 'ntp.lab.test')).offsetMs - 1000)).toBeLessThan(50);
      lab.faults.set({ target: 'ntp', type: 'ntp-kod', params: { code: 'DENY' }, remaining: 1 });
      expect((await sntpQuery(net, 'ntp.lab.test')).kod).toBe('DENY');
      lab.faults.set({ target: 'ntp', type: 'ntp-unsynchronized', params: {}, remaining: 1 });
      expect((await sntpQuery(net, 'ntp.lab.test')).leap).toBe('unsync');
      lab.faults.set({ target: 'ntp', type: 'ntp-silent', params: {}, remaining: 1 });
      await expect(sntpQuery(net, 'ntp.lab.test', { timeoutMs: 300 })).rejects.toBeInstanceOf(SntpError);
      expect((await sntpQuery(net, 'ntp.lab.test')).usable).toBe(true);
      expect(lab.recorder.find({ kind: 'fault' }).map((e) => e.summary)).toEqual([
        'ntp-skew: clock offset +7000 ms',
        "ntp-kod: Kiss-o'-Death DENY",
        'ntp-unsynchronized: LI=3',
        'ntp-silent: request dropped',
      ]);
    }));

  test('a bad ntp-kod code is traced and replaced by RATE', () =>
    withNtp({}, async ({ lab, net }) => {
      lab.faults.set({ target: 'ntp', type: 'ntp-kod', params: { code: 'nope' }, remaining: 1 });
      expect((await sntpQuery(net, 'ntp.lab.test')).kod).toBe('RATE');
      expect(lab.recorder.find({ kind: 'error', summary: /ntp-kod fault: code must be/ })).toHaveLength(1);
    }));

  test('invalid lab options are refused at start', async () => {
    await expect(startNtpLab({ stratum: 16 })).rejects.toThrow(/stratum must be an integer 1\.\.15/);
  });
});

/** A server that answers with a doctored reply, to check the client's validation. */
async function withDoctoredServer(doctor: (reply: ReturnType<typeof decodeNtp>) => void, body: (net: ProxyNet) => Promise<void>) {
  const lab = await CoreLab.create({}, { pkiDir: TEST_PKI_DIR });
  try {
    await lab.start([{
      name: 'ntp', kind: 'ntp', hostname: 'ntp.lab.test',
      start: async (ctx) => {
        await ctx.listenUdp({ listener: 'ntp', realPort: 123, protocol: 'sntp' }, (msg) => {
          const req = decodeNtp(msg);
          const reply = { ...req, mode: 4, stratum: 2, refId: refIdFrom('192.0.2.1'), originTimestamp: req.transmitTimestamp, receiveTimestamp: req.transmitTimestamp, transmitTimestamp: req.transmitTimestamp };
          doctor(reply);
          return encodeNtp(reply);
        });
      },
    }]);
    await body(new ProxyNet({ endpoints: lab.endpoints(), caPem: lab.ca.cert, localAddress: lab.addressOf('proxy') }));
  } finally {
    await lab.stop();
  }
}

describe('proxy SNTP client validates replies like ntpdig', () => {
  test('accepts the undoctored reply (control)', () =>
    withDoctoredServer(() => {}, async (net) => {
      expect((await sntpQuery(net, 'ntp.lab.test')).usable).toBe(true);
    }));
  test('mode other than 4 is rejected', () =>
    withDoctoredServer((r) => { r.mode = 3; }, async (net) => {
      await expect(sntpQuery(net, 'ntp.lab.test')).rejects.toMatchObject({ code: 'BAD_REPLY', message: /unexpected mode 3/ });
    }));
  test('stratum 0 without a kiss code is rejected', () =>
    withDoctoredServer((r) => { r.stratum = 0; r.refId = Buffer.from([1, 2, 3, 4]); }, async (net) => {
      await expect(sntpQuery(net, 'ntp.lab.test')).rejects.toMatchObject({ message: /stratum 0 without a kiss code/ });
    }));
  test('stratum above 15 is rejected', () =>
    withDoctoredServer((r) => { r.stratum = 16; }, async (net) => {
      await expect(sntpQuery(net, 'ntp.lab.test')).rejects.toMatchObject({ message: /stratum 16 too high/ });
    }));
  test('version outside 1..4 is rejected', () =>
    withDoctoredServer((r) => { r.version = 5; }, async (net) => {
      await expect(sntpQuery(net, 'ntp.lab.test')).rejects.toMatchObject({ message: /version 5/ });
    }));
  test('an origin mismatch is ignored, so the query times out and says why', () =>
    withDoctoredServer((r) => { r.originTimestamp += 1n; }, async (net) => {
      await expect(sntpQuery(net, 'ntp.lab.test', { timeoutMs: 300 })).rejects.toMatchObject({ code: 'TIMEOUT', message: /origin is not our transmit timestamp/ });
    }));
  test('a zero origin is ignored', () =>
    withDoctoredServer((r) => { r.originTimestamp = 0n; }, async (net) => {
      await expect(sntpQuery(net, 'ntp.lab.test', { timeoutMs: 300 })).rejects.toMatchObject({ message: /origin timestamp 0/ });
    }));
});
