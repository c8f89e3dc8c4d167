import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { MoRef } from '../../simulators/core/codecs/vim25/index.ts';
import { VimFaultError } from '../../proxy/clients/vsphere/index.ts';
import { vcLab, type VcLab } from './helpers.ts';

let env: VcLab;
beforeAll(async () => {
  env = await vcLab();
});
afterAll(async () => {
  await env?.stop();
});

const vmNamed = (name: string) => env.lab.world.inventory.vms.find((v) => v.name === name)!;

describe('backup sequence over TLS', () => {
  test('vCenter: login, find, CBT, quiesced snapshot, changed areas, NFC ticket, guest upload and program, logout', async () => {
    const spec = vmNamed('sql01');
    const creds = env.lab.credentials['guest-windows']!;
    const auth = { username: creds.user, password: creds.password };
    const vc = await env.login();
    expect(vc.apiType).toBe('VirtualCenter');

    const vm = (await vc.findVmByUuid(spec.instanceUuid))!;
    expect(vm.value).toBe(spec.moid);
    expect((await vc.listVms(['name'])).map((v) => v.props.name)).toContain('sql01');

    await vc.enableCbt(vm);
    expect((await vc.props(vm, ['config.changeTrackingEnabled']))['config.changeTrackingEnabled']).toBe('true');

    const snap1 = await vc.createSnapshot(vm, 'backup-1', { quiesce: true });
    const tree = await vc.props(vm, ['snapshot.rootSnapshotList', 'snapshot.currentSnapshot']);
    expect(tree['snapshot.currentSnapshot']).toEqual(snap1);
    const [d1] = await vc.disks(snap1);
    expect(d1!.changeId).toMatch(/\/\d+$/);
    expect(d1!.capacityBytes).toBe(spec.disks[0]!.capacityBytes);

    const all = await vc.queryChangedDiskAreas(vm, snap1, d1!.key, '*', d1!.capacityBytes);
    expect(all.pages).toBeGreaterThan(1);
    expect(all.extents.reduce((n, e) => n + e.length, 0)).toBe(spec.disks[0]!.allocatedBytes);

    const ticket = await vc.nfcTicket(vm, 'readwrite', d1!.key);
    const host = env.lab.world.inventory.hosts.find((h) => h.moid === spec.host)!;
    expect(ticket).toMatchObject({ host: host.name, port: 902, service: 'vpxa-nfc' });
    expect(ticket.sslThumbprint).toBe(env.lab.endpoints().find((e) => e.component === host.component)!.sha1);

    await vc.removeSnapshot(snap1);
    expect((await vc.props(vm, ['snapshot'])).snapshot).toBeUndefined();

    // The guest writes many small extents, so the incremental answer needs several pages too.
    const written = env.lab.world.disks.get(spec.moid, d1!.key)!.guestWrite({ percent: 20, extents: 1500 });
    const snap2 = await vc.createSnapshot(vm, 'backup-2', { quiesce: true });
    const [d2] = await vc.disks(snap2);
    expect(d2!.changeId).not.toBe(d1!.changeId);
    const incr = await vc.queryChangedDiskAreas(vm, snap2, d2!.key, d1!.changeId!, d2!.capacityBytes);
    expect(incr.pages).toBeGreaterThan(1);
    expect(incr.extents.reduce((n, e) => n + e.length, 0)).toBe(written.bytes);
    await vc.removeSnapshot(snap2);

    const payload = Buffer.from('injected service bytes\n'.repeat(100));
    const url = await vc.uploadToGuest(vm, auth, 'C:\\bpsim\\tool.exe', payload);
    expect(url).toMatch(new RegExp(`^https://${host.name}:443/guestFile\\?id=`));
    expect(env.lab.world.guests.get(spec.moid)!.getFile('C:\\bpsim\\tool.exe')).toEqual(payload);
    const pid = await vc.startProgram(vm, auth, 'C:\\bpsim\\tool.exe', '/version');
    const procs = await vc.listProcesses(vm, auth, [pid]);
    expect(procs.map((p) => p.pid)).toEqual([pid]);

    await vc.logout();
    await expect(vc.props(vm, ['name'])).rejects.toMatchObject({ faultType: 'NotAuthenticated' });
  });

  test('ESXi host agent: same API for standalone registration, "*" guest URLs, ha-nfc tickets', async () => {
    const linux = vmNamed('vault01');
    const host = env.lab.world.inventory.hosts.find((h) => h.moid === linux.host)!;
    const esx = await env.login(host.name);
    expect(esx.apiType).toBe('HostAgent');
    const vms = await esx.listVms(['name', 'runtime.host']);
    const expected = env.lab.world.inventory.vms.filter((v) => v.host === host.moid).map((v) => v.name);
    expect(vms.map((v) => v.props.name).sort()).toEqual(expected.sort());
    expect(vms[0]!.props['runtime.host']).toEqual(new MoRef('HostSystem', 'ha-host'));
    const vm = new MoRef('VirtualMachine', linux.moid.replace('vm-', ''));
    const creds = env.lab.credentials['guest-linux']!;
    const url = await esx.uploadToGuest(vm, { username: creds.user, password: creds.password }, '/opt/bpsim/x', Buffer.from('hello'));
    expect(url.startsWith('https://*:443/guestFile?')).toBe(true);
    const ticket = await esx.nfcTicket(vm, 'read');
    expect(ticket.host).toBe(host.name);
    await esx.logout();
  });
});

describe('pyVmomi', () => {
  test('the official SDK runs the same sequence unchanged', async () => {
    const vc = env.lab.endpoints().find((e) => e.component === 'vcenter')!;
    const hosts = Object.fromEntries(env.lab.endpoints().filter((e) => e.kind === 'esxi' && e.listener === 'https').map((e) => [e.hostname, `${e.bindAddress}:${e.port}`]));
    const creds = env.lab.credentials;
    const spec = vmNamed('web01');
    const cfgFile = join(env.lab.tempDir, 'pyvmomi.json');
    await writeFile(cfgFile, JSON.stringify({
      host: vc.bindAddress, port: vc.port, ca: env.lab.caFile, user: creds.vcenter!.user, password: creds.vcenter!.password,
      vm: spec.name, guestUser: creds['guest-linux']!.user, guestPassword: creds['guest-linux']!.password, hosts,
    }));
    const script = fileURLToPath(new URL('./pyvmomi_sequence.py', import.meta.url));
    const py = spawn('/usr/bin/python3', [script, cfgFile], { stdio: ['pipe', 'pipe', 'pipe'] });
    const steps: Record<string, Record<string, unknown>> = {};
    let stderr = '';
    py.stderr.on('data', (d) => (stderr += d));
    const lines = createInterface({ input: py.stdout });
    lines.on('line', (line) => {
      const msg = JSON.parse(line) as Record<string, unknown>;
      steps[String(msg.step)] = msg;
      if (msg.step === 'need-write') {
        env.lab.world.disks.get(spec.moid, Number(msg.key))!.guestWrite({ percent: 10, extents: 8 });
        py.stdin.write('ok\n');
      }
    });
    const code = await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => py.kill(), 50_000);
      py.once('exit', (c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(Object.keys(steps)).toEqual(['login', 'find-vm', 'enable-cbt', 'snapshot', 'changed-all', 'nfc-ticket', 'remove-snapshot', 'need-write', 'changed-since', 'guest-upload', 'start-program', 'logout']);
    expect(steps['changed-all']!.bytes).toBe(spec.disks[0]!.allocatedBytes);
    expect(Number(steps['changed-since']!.bytes)).toBeGreaterThan(0);
  });
});

test('a fault from the server is a VimFaultError with the vim type', async () => {
  const vc = await env.connect();
  await expect(vc.login('nobody', 'x')).rejects.toBeInstanceOf(VimFaultError);
});
