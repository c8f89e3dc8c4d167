import { describe, test, expect, beforeAll, afterAll } from 'vitest';
import { startProbeLab, probeGuest } from './probe-lab.ts';
import { probeRdp } from '../../proxy/clients/probe/rdp.ts';
import { encodeConnectionRequest } from '../../simulators/core/codecs/x224.ts';
import { sendAndAwaitClose } from '../helpers/sockets.ts';
import { hasCommand, run } from '../helpers/run.ts';

// nmap's TerminalServerCookie probe, byte for byte (nmap-service-probes).
const NMAP_PROBE = Buffer.concat([
  Buffer.from('030000' + '2a' + '25e0' + '0000000000', 'hex'),
  Buffer.from('Cookie: mstshash=nmap\r\n', 'latin1'),
  Buffer.from('0100080003000000', 'hex'),
]);
// The confirm of a Windows 10 host (nmap's ms-wbt-server match): HYBRID selected, flags 0x1f.
const WINDOWS_CONFIRM = '030000130ed00000123400021f080002000000';

const hasNmap = hasCommand('nmap');

let ctx: Awaited<ReturnType<typeof startProbeLab>>;
let addr: { host: string; port: number };
beforeAll(async () => {
  ctx = await startProbeLab([probeGuest('vm-rdp', { rdp: true })]);
  const e = ctx.lab.endpoint('vm-rdp', 'rdp');
  addr = { host: e.bindAddress, port: e.port };
});
afterAll(() => ctx?.lab.stop());

describe('RDP probe listener (3389)', () => {
  test("answers nmap's probe with the Windows Connection Confirm", async () => {
    const { received } = await sendAndAwaitClose(addr.host, addr.port, NMAP_PROBE);
    expect(received.toString('hex')).toBe(WINDOWS_CONFIRM);
    expect(ctx.lab.recorder.find({ kind: 'request', summary: 'X.224 Connection Request cookie mstshash=nmap requestedProtocols SSL|HYBRID' })).toHaveLength(1);
  });

  test('a legacy request without RDP_NEG_REQ gets a confirm without negotiation data', async () => {
    const { received } = await sendAndAwaitClose(addr.host, addr.port, encodeConnectionRequest({ cookie: 'mstshash=old' }));
    expect(received.toString('hex')).toBe('0300000b06d00000123400');
  });

  test('offering only standard RDP security selects RDP', async () => {
    const { received } = await sendAndAwaitClose(addr.host, addr.port, encodeConnectionRequest({ requestedProtocols: 0 }));
    expect(received.subarray(11).toString('hex')).toBe('021f080000000000');
  });

  test('the proxy probe reports open with the negotiated protocol', async () => {
    const r = await probeRdp(ctx.net, 'vm-rdp.lab.test');
    expect(r).toMatchObject({ state: 'open', recognized: true, port: 3389, detail: 'RDP: X.224 Connection Confirm, selected protocol HYBRID' });
  });

  test.each([
    ['garbage bytes', Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n')],
    ['a 1 MB line', Buffer.concat([Buffer.alloc(1 << 20, 0x41), Buffer.from('\r\n')])],
    ['a TPKT claiming 65535 bytes', Buffer.concat([Buffer.from('0300ffff', 'hex'), Buffer.alloc(2000, 0)])],
    ['a TPKT holding a Connection Confirm instead of a Request', Buffer.from(WINDOWS_CONFIRM, 'hex')],
  ])('%s: closed without a reply, and the next client is served', async (_name, data) => {
    const { received } = await sendAndAwaitClose(addr.host, addr.port, data);
    expect(received.length).toBe(0);
    expect((await probeRdp(ctx.net, 'vm-rdp.lab.test')).state).toBe('open');
  });

  test('bad requests are traced as errors', () => {
    const errors = ctx.lab.recorder.find({ kind: 'error', to: 'vm-rdp' }).map((e) => e.summary);
    expect(errors).toContain('bad RDP Connection Request: not a TPKT (first byte 0x47); closing');
    expect(errors.some((s) => /frame of 65535 bytes exceeds 1024/.test(s))).toBe(true);
  });

  test.skipIf(!hasNmap)('nmap -sV recognises ms-wbt-server', async () => {
    const r = await run('nmap', ['-Pn', '-sV', '-p', String(addr.port), addr.host], { timeoutMs: 45_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`${addr.port}/tcp\\s+open\\s+ms-wbt-server\\s+Microsoft Terminal Services`));
  });
});
