import { describe, test, expect, beforeAll } from 'vitest';
import type { Lab } from '../../simulators/lab.ts';
import type { BackupProxy } from '../../proxy/backup-proxy.ts';
import { injectGuestServices, type GuestSession } from '../../proxy/flows/guest-session.ts';
import { flowLab, failure } from '../helpers/flow-lab.ts';
import { proxyFor, type ProxyOptions } from '../../testing/proxy.ts';

/**
 * The decisions of putting guestossvc into a guest, one shared lab: each judged by what reached
 * vCenter and the guest (the lab's trace, the guest's process table), the error's class, message and
 * details, and the proxy's log. VMs of the default lab: sql01 (Windows), web01 (Linux), dc01 (no
 * Tools), build01 (powered off).
 */
const shared = flowLab({});
const logs = shared.logs;
let lab: Lab;
let proxy: BackupProxy;
beforeAll(() => ({ lab, proxy } = shared));

const seqNow = () => shared.seqNow();
const vcCalls = (since: number, method: RegExp) => lab.recorder.find({ kind: 'request', from: 'proxy', to: 'vcenter', summary: method, since });
const inventoryVm = (name: string) => lab.world.inventory.vms.find((v) => v.name === name)!;
const vmState = (name: string) => lab.world.vsphere.vms.get(inventoryVm(name).moid)!;
/** guestossvc processes the guest itself lists (exited ones stay listed). */
const guestossvcProcesses = (vm: string) => lab.world.guests!.get(vm)!.listProcesses().filter((p) => /^guestossvc/.test(p.name));

/** Injects into `vm` with `p`, hands the session to `use`, then ends it with `stop()`. */
function withSession<T>(p: BackupProxy, vm: string, use: (s: GuestSession) => Promise<T> = async () => undefined as T): Promise<T> {
  return p.run('guest-session', async (ctx) => {
    const s = await injectGuestServices(ctx, await ctx.vsphere(), vm);
    try {
      return await use(s);
    } finally {
      await s.stop();
    }
  });
}
function inject(p: BackupProxy, vm: string): Promise<unknown> {
  return p.run('guest-session', async (ctx) => injectGuestServices(ctx, await ctx.vsphere(), vm));
}
async function withProxy<T>(over: ProxyOptions, use: (p: BackupProxy) => Promise<T>): Promise<T> {
  const p = proxyFor(lab, over);
  p.events.on('log', (l) => logs.push(`${l.level} ${l.message}`));
  try {
    return await use(p);
  } finally {
    p.close();
  }
}

describe('prerequisites: refused before anything is uploaded or started', () => {
  test.each([
    ['build01', 'build01 is powered off: application-aware backup needs a running VM'],
    ['dc01', 'VMware Tools are not running in dc01: guest operations are unavailable'],
  ])('%s', async (vm, message) => {
    const since = seqNow();
    // By instance UUID: the message names the VM as vCenter does.
    const err = await failure(inject(proxy, inventoryVm(vm).instanceUuid));
    expect(err).toMatchObject({ errorClass: 'guest', message });
    expect(vcCalls(since, /^(InitiateFileTransferToGuest|StartProgramInGuest)/)).toHaveLength(0);
  });

  test('no IP address reported: refused, nothing uploaded', async () => {
    const spec = vmState('web01').spec as { ip?: string };
    const ip = spec.ip;
    spec.ip = undefined;
    const since = seqNow();
    try {
      const err = await failure(inject(proxy, 'web01'));
      expect(err).toMatchObject({ errorClass: 'guest', message: 'web01 reports no IP address' });
    } finally {
      spec.ip = ip;
    }
    expect(vcCalls(since, /^(InitiateFileTransferToGuest|StartProgramInGuest)/)).toHaveLength(0);
  });
});

describe('a session: upload, start, serve, stop', () => {
  test('Windows (sql01): four files under C:\\ProgramData\\PhoenixGuest, guestossvc started, serving, then terminated by its pid', async () => {
    const since = seqNow();
    const ip = vmState('sql01').spec.ip;
    let pid = 0;
    let running: ReturnType<typeof guestossvcProcesses> = [];
    await withSession(proxy, 'sql01', async (s) => {
      pid = s.pid;
      expect(s).toMatchObject({ name: 'sql01', ip, vm: { value: inventoryVm('sql01').moid } });
      running = guestossvcProcesses('sql01').filter((p) => p.exitCode === undefined);
      // The session's client talks to the guestossvc it started.
      expect((await s.client.status()).pid).toBe(pid);
    });
    expect(running.map((p) => p.pid)).toEqual([pid]);
    const puts = lab.recorder.find({ kind: 'response', from: 'proxy', summary: /^\/guestFile PUT /, since }).map((e) => e.summary.replace(/ \d+ bytes$/, ''));
    expect(puts).toEqual(['guestossvc.exe', 'PhoenixSQLGuestPlugin.exe', 'manifest.json', 'guestossvc.token'].map((f) => `/guestFile PUT C:\\ProgramData\\PhoenixGuest\\${f}`));
    expect(vcCalls(since, /^InitiateFileTransferToGuest/)).toHaveLength(4);
    expect(vcCalls(since, /^StartProgramInGuest/)).toHaveLength(1);
    expect(logs).toContain('info sql01: injected 4 files (guestossvc, PhoenixSQLGuestPlugin, manifest, token)');
    expect(logs).toContain(`info sql01: guestossvc running (pid ${pid}) on ${ip}:3542`);
    expect(logs).toContain(`info sql01: guestossvc stopped (pid ${pid})`);
    // stop(): the proxy's connection to 3542 closes first, then TerminateProcessInGuest ends that very process.
    const closed = lab.recorder.find({ kind: 'close', from: 'proxy', to: 'guest-sql01', port: 3542, since });
    const terminate = vcCalls(since, /^TerminateProcessInGuest/);
    expect(terminate).toHaveLength(1);
    expect(closed.length).toBeGreaterThan(0);
    expect(closed[0]!.seq).toBeLessThan(terminate[0]!.seq);
    expect(guestossvcProcesses('sql01').find((p) => p.pid === pid)?.exitCode).toBeDefined();
    expect(guestossvcProcesses('sql01').filter((p) => p.exitCode === undefined)).toEqual([]);
  });

  test('Linux (web01): the Linux bundle under /opt/phoenix-guest, started and stopped the same way', async () => {
    const since = seqNow();
    let pid = 0;
    await withSession(proxy, 'web01', async (s) => {
      pid = s.pid;
      expect((await s.client.status()).pid).toBe(pid);
    });
    const puts = lab.recorder.find({ kind: 'response', from: 'proxy', summary: /^\/guestFile PUT /, since }).map((e) => e.summary.split(' ')[2]);
    expect(puts).toHaveLength(4);
    for (const path of puts) expect(path).toMatch(/^\/opt\/phoenix-guest\//);
    expect(logs).toContain('info web01: injected 4 files (guestossvc, PhoenixSQLGuestPlugin, manifest, token)');
    expect(guestossvcProcesses('web01').find((p) => p.pid === pid)?.exitCode).toBeDefined();
  });
});

describe('guest credentials follow the guest family', () => {
  const wrong = { user: 'nobody', password: 'wrong-password' };

  test('wrong Windows credentials: a Linux guest still works, a Windows guest is refused InvalidGuestLogin before anything is started', async () => {
    await withProxy({ name: 'proxy-badwin', guest: { windows: wrong, linux: lab.credentials['guest-linux']! } }, async (p) => {
      await withSession(p, 'web01');
      const since = seqNow();
      const err = await failure(inject(p, 'sql01'));
      expect(err).toMatchObject({
        errorClass: 'guest',
        message: 'sql01: guest operation failed: InvalidGuestLogin: Failed to authenticate with the guest operating system using the supplied credentials.',
        details: { fault: 'InvalidGuestLogin' },
      });
      // The vCenter fault itself is kept as the cause.
      expect((err.cause as Error).message).toBe('InvalidGuestLogin: Failed to authenticate with the guest operating system using the supplied credentials.');
      expect(vcCalls(since, /^StartProgramInGuest/)).toHaveLength(0);
    });
  });

  test('wrong Linux credentials: a Windows guest still works, a Linux guest is refused', async () => {
    await withProxy({ name: 'proxy-badlinux', guest: { windows: lab.credentials['guest-windows']!, linux: wrong } }, async (p) => {
      await withSession(p, 'sql01');
      const err = await failure(inject(p, 'web01'));
      expect(err).toMatchObject({ errorClass: 'guest', details: { fault: 'InvalidGuestLogin' } });
      expect(err.message).toMatch(/^web01: guest operation failed: InvalidGuestLogin: /);
    });
  });

  test('a guest whose Tools report no family is taken for Windows: the Windows credentials go to vCenter, which a Linux guest refuses', async () => {
    const spec = vmState('web01').spec as { guestFamily: string };
    const family = spec.guestFamily;
    // A family vCenter does not know is not reported (GuestInfo.guestFamily unset); vCenter still checks the Linux account.
    spec.guestFamily = 'otherGuestFamily';
    const since = seqNow();
    try {
      await expect(inject(proxy, 'web01')).rejects.toMatchObject({ errorClass: 'guest', details: { fault: 'InvalidGuestLogin' } });
    } finally {
      spec.guestFamily = family;
    }
    expect(vcCalls(since, /^StartProgramInGuest/)).toHaveLength(0);
  });

  test('a password that is only right for the other family is refused too (the password, not only the user, is the family\'s)', async () => {
    const win = lab.credentials['guest-windows']!;
    await withProxy({ name: 'proxy-badpw', guest: { windows: { user: win.user, password: lab.credentials['guest-linux']!.password }, linux: lab.credentials['guest-linux']! } }, async (p) => {
      await expect(inject(p, 'sql01')).rejects.toMatchObject({ errorClass: 'guest', details: { fault: 'InvalidGuestLogin' } });
    });
  });
});

describe('guest failures and their classes', () => {
  test('guestossvc exits before it serves: guest, with its exit code, and no "running" line', async () => {
    lab.faults.set({ target: 'guest-sql01', type: 'guestossvc-down', params: { exitCode: 42 }, remaining: 1 });
    const err = await failure(inject(proxy, 'sql01'));
    expect(err).toMatchObject({ errorClass: 'guest', message: 'sql01: guestossvc exited with code 42 before it started serving', details: { exitCode: 42 } });
    expect(logs.some((l) => /guestossvc running/.test(l))).toBe(false);
    expect(guestossvcProcesses('sql01').filter((p) => p.exitCode === undefined)).toEqual([]);
  });

  test('guestossvc running but 3542 refusing: timeout at timeouts.guestStart, naming the last error; nothing left running in the guest', async () => {
    await withProxy({ name: 'proxy-shortstart', timeouts: { ...proxy.config.timeouts, guestStart: 1500 } }, async (p) => {
      lab.faults.set({ target: 'guest-sql01:guestossvc', type: 'refuse', params: {} });
      const since = seqNow();
      const err = await failure(inject(p, 'sql01'));
      lab.faults.clear();
      expect(err.errorClass).toBe('timeout');
      expect(err.message).toMatch(/^sql01: guestossvc did not answer on 3542 within 1500 ms: \S.*$/);
      expect(err.message).not.toMatch(/undefined$/);
      // While it waited it asked the guest about that process (it had not exited).
      expect(vcCalls(since, /^ListProcessesInGuest/).length).toBeGreaterThan(0);
      // The next job can inject again: nothing of this one stays running.
      await withSession(p, 'sql01', async (s) => expect((await s.client.status()).pid).toBe(s.pid));
    });
  });

  test('a vCenter fault during injection (GuestOperationsUnavailable): guest, with the fault type', async () => {
    lab.faults.set({ target: 'vcenter', type: 'guest-ops-unavailable', params: {}, remaining: 1 });
    const err = await failure(inject(proxy, 'sql01'));
    expect(err.errorClass).toBe('guest');
    expect(err.message).toMatch(/^sql01: guest operation failed: GuestOperationsUnavailable: /);
    expect(err.details).toEqual({ fault: 'GuestOperationsUnavailable' });
  });

  test('the guest OS refusing the account at the /guestFile upload: guest, named as an injection failure', async () => {
    lab.faults.set({ target: 'guest-sql01', type: 'guest-credentials-rejected', params: { message: 'logon failure: account locked out' } });
    const since = seqNow();
    const err = await failure(inject(proxy, 'sql01'));
    expect(err).toMatchObject({ errorClass: 'guest', message: 'sql01: injecting the guest services failed: guest upload to esxi-01.lab.test failed: HTTP 403 logon failure: account locked out', details: {} });
    expect((err.cause as Error).message).toBe('guest upload to esxi-01.lab.test failed: HTTP 403 logon failure: account locked out');
    expect(vcCalls(since, /^StartProgramInGuest/)).toHaveLength(0);
  });
});

describe('stop()', () => {
  test('TerminateProcessInGuest refused: a warning naming the pid and the fault; a later stop ends the process', async () => {
    await withSession(proxy, 'sql01', async (s) => {
      lab.faults.set({ target: 'vcenter', type: 'guest-ops-unavailable', params: {}, remaining: 1 });
      await s.stop();
      expect(logs.filter((l) => l.startsWith(`warn sql01: could not stop guestossvc (pid ${s.pid}): GuestOperationsUnavailable: `))).toHaveLength(1);
      expect(logs).not.toContain(`info sql01: guestossvc stopped (pid ${s.pid})`);
      expect(guestossvcProcesses('sql01').find((p) => p.pid === s.pid)?.exitCode).toBeUndefined();
    });
    expect(guestossvcProcesses('sql01').filter((p) => p.exitCode === undefined)).toEqual([]);
  });
});
