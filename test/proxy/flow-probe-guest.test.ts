import { describe, test, expect, beforeAll, afterAll } from 'vitest';
import type { FlowContext } from '../../proxy/flows/context.ts';
import { guestFamilyOf, probeGuest } from '../../proxy/flows/probe-guest.ts';
import { startProbeLab, probeGuest as probeGuestSpec } from '../probes/probe-lab.ts';

// What a DR test checks on a restored guest: RDP (3389) on Windows, SSH (22) on everything else.
let lab: Awaited<ReturnType<typeof startProbeLab>>;
let ctx: FlowContext;
let win: string;
let lin: string;
beforeAll(async () => {
  lab = await startProbeLab([probeGuestSpec('win01', { rdp: true }), probeGuestSpec('lin01', { ssh: true })]);
  ctx = { net: lab.net, config: { timeouts: { probe: 400 } } } as FlowContext;
  win = lab.lab.addressOf('win01');
  lin = lab.lab.addressOf('lin01');
});
afterAll(() => lab?.lab.stop());

describe('probeGuest: the port a restored guest should answer on', () => {
  test('a Windows guest: RDP on 3389, open', async () => {
    expect(await probeGuest(ctx, 'windowsGuest', win)).toMatchObject({ kind: 'rdp', host: win, port: 3389, state: 'open' });
  });

  // The lab's SSH banner is "SSH-2.0-OpenSSH_9.2p1 bpsim": protocol, software, comments (RFC 4253 4.2).
  test.each(['linuxGuest', 'otherGuest', undefined])('a %s guest: SSH on 22, open, with its banner', async (family) => {
    expect(await probeGuest(ctx, family, lin)).toEqual({ kind: 'ssh', host: lin, port: 22, state: 'open', detail: 'SSH: protocol 2.0, software OpenSSH_9.2p1, comments "bpsim"' });
  });

  test('the port follows the family, not what listens: RDP to a Linux guest is refused', async () => {
    expect(await probeGuest(ctx, 'windowsGuest', lin)).toEqual({ kind: 'rdp', host: lin, port: 3389, state: 'closed', detail: 'connection refused' });
    expect(await probeGuest(ctx, 'linuxGuest', win)).toEqual({ kind: 'ssh', host: win, port: 22, state: 'closed', detail: 'connection refused' });
  });

  test.each([
    ['windowsGuest', 'rdp', 3389],
    ['linuxGuest', 'ssh', 22],
  ] as const)('a %s with no IP address: skipped, nothing probed', async (family, kind, port) => {
    expect(await probeGuest(ctx, family, undefined)).toEqual({ kind, host: '', port, state: 'skipped', detail: 'the VM reports no IP address (powered off or no VMware Tools)' });
  });

  test.each([
    ['windowsGuest', 'win01:rdp', () => win],
    ['linuxGuest', 'lin01:ssh', () => lin],
  ] as const)('a %s that accepts and never answers: filtered after the configured probe timeout', async (family, target, ip) => {
    lab.lab.faults.set({ target, type: 'blackhole', params: {}, remaining: 1 });
    expect(await probeGuest(ctx, family, ip())).toMatchObject({ state: 'filtered', detail: 'connected, but no reply within 400 ms' });
  });
});

// Tools report guest.guestFamily only while they run; config.guestId (vim.vm.GuestOsDescriptor.GuestOsIdentifier) always.
describe('guestFamilyOf: which family to probe for', () => {
  test.each([
    ['windowsGuest', 'ubuntu64Guest', 'windowsGuest'],
    ['linuxGuest', 'windows2019srv_64Guest', 'linuxGuest'],
    [undefined, 'windows2019srv_64Guest', 'windowsGuest'],
    [undefined, 'winNetEnterpriseGuest', 'windowsGuest'],
    [undefined, 'WINDOWS9_64GUEST', 'windowsGuest'],
    [undefined, 'ubuntu64Guest', 'linuxGuest'],
    [undefined, 'darwin64Guest', 'linuxGuest'],
    [undefined, undefined, 'linuxGuest'],
  ])('Tools say %s, config.guestId %s: %s', (family, guestId, want) => {
    expect(guestFamilyOf(family, guestId)).toBe(want);
  });
});
