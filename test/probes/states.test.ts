import { describe, test, expect, beforeAll, afterAll } from 'vitest';
import { startProbeLab, probeGuest } from './probe-lab.ts';
import { probeRdp } from '../../proxy/clients/probe/rdp.ts';
import { probeSsh } from '../../proxy/clients/probe/ssh.ts';

let ctx: Awaited<ReturnType<typeof startProbeLab>>;
beforeAll(async () => {
  ctx = await startProbeLab([probeGuest('win01', { rdp: true }), probeGuest('lin01', { ssh: true })]);
});
afterAll(() => ctx?.lab.stop());

describe('proxy probes: open / closed / filtered', () => {
  test('open on the port that listens', async () => {
    expect((await probeRdp(ctx.net, 'win01.lab.test')).state).toBe('open');
    expect((await probeSsh(ctx.net, 'lin01.lab.test')).state).toBe('open');
  });

  test('closed where nothing listens at that address (connection refused)', async () => {
    expect(await probeSsh(ctx.net, 'win01.lab.test')).toMatchObject({ state: 'closed', detail: 'connection refused', recognized: false });
    expect(await probeRdp(ctx.net, 'lin01.lab.test')).toMatchObject({ state: 'closed', detail: 'connection refused' });
  });

  test('filtered when the listener accepts and never answers (blackhole fault)', async () => {
    ctx.lab.faults.set({ target: 'win01:rdp', type: 'blackhole', params: {}, remaining: 1 });
    const r = await probeRdp(ctx.net, 'win01.lab.test', { timeoutMs: 400 });
    expect(r).toMatchObject({ state: 'filtered', detail: 'connected, but no reply within 400 ms' });
    expect((await probeRdp(ctx.net, 'win01.lab.test')).state).toBe('open');
  });

  test('closed when the connection is reset (refuse fault)', async () => {
    ctx.lab.faults.set({ target: 'lin01:ssh', type: 'refuse', params: {}, remaining: 1 });
    expect((await probeSsh(ctx.net, 'lin01.lab.test')).state).toBe('closed');
  });

  test('a wrong reply is open, not recognized, with what came back', async () => {
    // An SSH server on the RDP port: the RDP probe gets a banner instead of a Connection Confirm.
    const r = await probeRdp(ctx.net, 'lin01.lab.test', { port: 22 });
    expect(r.state).toBe('open');
    expect(r.recognized).toBe(false);
    expect(r.detail).toMatch(/^unexpected reply: "SSH-2\.0-OpenSSH_9\.2p1 bpsim/);
  });

  test('a service that waits for the client looks filtered to the SSH probe', async () => {
    // RDP speaks only after the client, like nmap sees a silent port.
    const r = await probeSsh(ctx.net, 'win01.lab.test', { port: 3389, timeoutMs: 400 });
    expect(r.state).toBe('filtered');
  });
});
