import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { ProxyNet } from '../../proxy/net/proxy-net.ts';
import { NfcConnection } from '../../proxy/clients/nfc/index.ts';
import { vcLab, type VcLab } from './helpers.ts';
import { runPyvmomi, type Step } from './pyvmomi-run.ts';

let env: VcLab;
beforeAll(async () => {
  env = await vcLab();
});
afterAll(async () => {
  await env?.stop();
});

const script = fileURLToPath(new URL('./pyvmomi_vm_lifecycle.py', import.meta.url));
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const vmNamed = (name: string) => env.lab.world.inventory.vms.find((v) => v.name === name)!;
/** Both endpoints' ids ("vm-123", hostd's "123") as the inventory's moid. */
const moidOf = (id: unknown) => (String(id).startsWith('vm-') ? String(id) : `vm-${id}`);
/** The disk model's bytes, read in-process (independent of every wire path). */
const modelBytes = (vm: string, key: number, offset: number, length: number) => {
  const disk = env.lab.world.disks.get(moidOf(vm), key)!;
  return disk.read({ disk, readOnly: true }, offset, length);
};

function labHooks(written: Record<string, number>) {
  return (s: Step) => {
    const spec = env.lab.world.inventory.vms.find((v) => v.moid === moidOf(s.vm))!;
    if (s.step === 'need-write') written.bytes = writeNew(spec.moid, Number(s.key));
    // Bytes of a disk that a later step deletes, read while it exists.
    if (s.step === 'need-read') written.read = modelBytes(spec.moid, Number(s.key), Number(s.offset), Number(s.length)).equals(Buffer.alloc(Number(s.length), 0x5a)) ? 1 : 0;
    if (s.step === 'need-tools-off') spec.toolsRunning = false;
    if (s.step === 'need-tools-on') spec.toolsRunning = true;
  };
}

/** A new disk has no allocated bytes, so percent-based guest writes write nothing: write 64 KiB at 1 MiB. */
function writeNew(vm: string, key: number): number {
  const disk = env.lab.world.disks.get(vm, key)!;
  disk.write({ disk, readOnly: false }, 1 << 20, Buffer.alloc(64 * 1024, 0x5a));
  return 64 * 1024;
}

const inTask = (fault: string) => expect.objectContaining({ task: true, fault });

describe('pyVmomi against vCenter: create, reconfigure, power, clone, register, export/import, guest files', () => {
  let steps: Record<string, Step>;
  const written: Record<string, number> = {};
  const creds = () => env.lab.credentials;

  beforeAll(async () => {
    const r = await runPyvmomi(env.lab, script, { hostname: 'vcenter.lab.test', login: 'vcenter' }, {
      sections: ['devices', 'power', 'clone', 'lease', 'guest'],
      linuxVm: 'web01', linuxUser: creds()['guest-linux']!.user, linuxPassword: creds()['guest-linux']!.password,
      windowsVm: 'sql01', windowsUser: creds()['guest-windows']!.user, windowsPassword: creds()['guest-windows']!.password,
    }, labHooks(written));
    steps = r.steps;
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  }, 300_000);

  test('CreateVM_Task: controllers, NICs, disks named "[datastore1] <vm>/<vm>.vmdk" then "<vm>_1.vmdk"; DuplicateName in the task', () => {
    const s = steps['create-vm']!;
    expect(s.files).toEqual(['[datastore1] vc-restore01/vc-restore01.vmdk', '[datastore1] vc-restore01/vc-restore01_1.vmdk']);
    expect(s.controllers).toEqual(['vim.vm.device.ParaVirtualSCSIController']);
    expect(s.nics).toEqual(['VM Network']);
    expect(s.path).toBe('[datastore1] vc-restore01/vc-restore01.vmx');
    expect(steps['create-duplicate']).toMatchObject({ task: true, fault: 'DuplicateName' });
  });

  test('ReconfigVM_Task stores extraConfig (empty value removes) and annotation', () => {
    const s = steps['extra-config']!;
    expect(s.before).toMatchObject({ 'bpsim.a': '1', 'bpsim.b': 'two' });
    expect(s.after).toEqual({ 'bpsim.b': 'two' });
    expect(s.annotation).toBe('restored by bpsim');
    expect(s.summaryAnnotation).toBe('restored by bpsim');
  });

  test('ReconfigVM_Task device changes: a SAS controller with a new disk, an E1000 NIC, a disk grown', () => {
    const s = steps['add-devices']!;
    expect(s.result).toEqual({ task: true, fault: null });
    expect(s.disk).toBe('[datastore1] vc-restore01/vc-restore01_2.vmdk');
    expect(s.controller).toBe('VirtualLsiLogicSASController');
    expect(s.busNumber).toBe(1);
    expect(s.controllers).toEqual(['ParaVirtualSCSIController', 'VirtualLsiLogicSASController']);
    expect(s.nics).toEqual(['VirtualE1000', 'VirtualVmxnet3']);
    expect(steps['grow-disk']).toMatchObject({ result: { task: true, fault: null }, capacityInKB: 8192 });
    const vm = env.lab.world.inventory.vms.find((v) => v.name === 'vc-restore01');
    expect(vm).toBeDefined();
  });

  test('the new disk has working CBT: the areas changed since the first snapshot are exactly the guest write', () => {
    const s = steps['cbt-new-disk']!;
    expect(String(s.changeId)).toMatch(/\/\d+$/);
    expect(s.extents).toEqual([[1 << 20, 64 * 1024]]);
    expect(written.bytes).toBe(64 * 1024);
  });

  test('invalid device changes fail inside the task with vCenter\'s faults', () => {
    const f = steps['device-faults']!;
    expect(f.shrink).toEqual(inTask('InvalidDeviceOperation'));
    expect(f.noController).toEqual(inTask('InvalidController'));
    expect(f.fileExists).toEqual(inTask('FileAlreadyExists'));
    expect(f.removeUnknown).toEqual(inTask('InvalidDeviceSpec'));
    expect(f.noOperation).toEqual(inTask('InvalidDeviceOperation'));
    expect(f.unitTaken).toEqual(inTask('InvalidDeviceSpec'));
    expect(f.nicTypeChange).toEqual(inTask('InvalidDeviceOperation'));
    expect(f.nicNoBacking).toEqual(inTask('InvalidDeviceSpec'));
    expect(f.attachMissing).toEqual(inTask('FileNotFound'));
    expect(f.unsupportedDevice).toEqual(inTask('NotSupported'));
    expect(f.fileOpOnNic).toEqual(inTask('InvalidDeviceOperation'));
    expect(f.busTaken).toEqual(inTask('InvalidDeviceSpec'));
    expect(f.controllerHasDisks).toEqual(inTask('InvalidDeviceSpec'));
    expect(f.growWithSnapshot).toEqual(inTask('NotSupported'));
    expect((f.shrink as Step).props).toMatchObject({ deviceIndex: 0 });
    // A detached disk keeps its file and bytes: attached again, the guest's write is still there.
    const re = steps.reattach!;
    expect(re).toMatchObject({ detach: { task: true, fault: null }, attach: { task: true, fault: null }, capacityInKB: 8192 });
    expect(written.read).toBe(1);
    expect(steps['hot-remove-controller']).toMatchObject({ task: true, fault: 'InvalidPowerState', props: { requestedState: 'poweredOff', existingState: 'poweredOn' } });
    expect(steps['remove-devices']).toMatchObject({ result: { task: true, fault: null }, removeController: { task: true, fault: null }, disks: 2, nics: 1, controllers: 1 });
    // fileOperation destroy deleted the file; the disk model no longer has it.
    expect(env.lab.world.disks.byPath('[datastore1] vc-restore01/vc-restore01_2.vmdk')).toBeUndefined();
  });

  test('power operations: wrong states are InvalidPowerState inside the task; guest power ops need Tools', () => {
    const p = steps.power!;
    for (const k of ['offPowerOff', 'offSuspend', 'offReset', 'onPowerOn', 'suspendedSuspend', 'destroyOn']) expect(p[k], k).toEqual(inTask('InvalidPowerState'));
    expect((p.offSuspend as Step).props).toMatchObject({ requestedState: 'poweredOn', existingState: 'poweredOff' });
    expect(p.offShutdownGuest).toBe('InvalidPowerState');
    expect(p.offRebootGuest).toBe('InvalidPowerState');
    for (const k of ['powerOn', 'onReset', 'suspend', 'resume']) expect(p[k], k).toEqual({ task: true, fault: null });
    expect(p.suspendedState).toBe('suspended');
    expect(p.resetKeepsOn).toBe(true);
    expect(p.rebootGuest).toBeNull();
    expect(p.standbyGuest).toBeNull();
    expect(p.standbyReached).toBe(true);
    expect(p.shutdownGuest).toBeNull();
    expect(p.shutdownReached).toBe(true);
    expect(p.toolsOffShutdown).toBe('ToolsUnavailable');
  });

  test('CloneVM_Task: a full copy whose disks hold the source\'s bytes (model and NFC reads agree)', async () => {
    const s = steps.clone!;
    expect(s.result).toEqual({ task: true, fault: null });
    const ds = vmNamed('web01').disks[0]!.datastore;
    expect(s.files).toEqual([`[${ds}] vc-clone01/vc-clone01.vmdk`]);
    expect(s.uuidDiffers).toBe(true);
    expect(s.power).toBe('poweredOff');
    expect(steps['clone-duplicate']).toMatchObject({ task: true, fault: 'DuplicateName' });
    expect(steps['clone-template-on']).toMatchObject({ task: true, fault: 'InvalidArgument' });
    // The registered copy (after unregister/register) is the clone's files: compare its bytes with web01's.
    const reg = steps.register!;
    const key = (s.keys as number[])[0]!;
    const src = env.lab.world.disks.get(moidOf(s.source), key)!;
    const extents = src.allocatedExtents();
    expect(extents.length).toBeGreaterThan(0);
    const first = extents[0]!;
    const len = Math.min(first.length, 4 << 20);
    const want = sha256(modelBytes(String(s.source), key, first.start, len));
    expect(sha256(modelBytes(String(reg.vm), key, first.start, len))).toBe(want);
    // Over NFC (902) with a ticket from vCenter, as a backup product reads it.
    const vc = await env.login();
    const { MoRef } = await import('../../simulators/core/codecs/vim25/index.ts');
    const ticket = await vc.nfcTicket(new MoRef('VirtualMachine', String(reg.vm)), 'read', key);
    const net = new ProxyNet({ endpoints: env.lab.endpoints(), caPem: env.lab.ca.cert, localAddress: env.lab.addressOf('proxy') });
    const conn = await NfcConnection.open(net, { host: ticket.host, sslThumbprint: ticket.sslThumbprint, sessionId: ticket.sessionId });
    const d = await conn.openDisk((reg.files as string[])[0]!);
    expect(sha256(await d.read(first.start, len))).toBe(want);
    await d.close();
    await conn.close();
    await vc.logout();
  });

  test('templates: MarkAsTemplate needs the VM off, a template does not power on, MarkAsVirtualMachine undoes it', () => {
    const t = steps.template!;
    expect(t.markOn).toBe('InvalidPowerState');
    expect(t.mark).toBeNull();
    expect(t.template).toBe(true);
    expect(t.summaryTemplate).toBe(true);
    expect(t.powerOnTemplate).toEqual(inTask('NotSupported'));
    expect(t.markAgain).toBe('NotSupported');
    expect(t.unmark).toBeNull();
    expect(t.templateAfter).toBe(false);
    expect(t.unmarkAgain).toBe('NotSupported');
  });

  test('UnregisterVM keeps the files; RegisterVM_Task brings the VM back; unknown and registered paths fail in the task', () => {
    const r = steps.register!;
    const ds = vmNamed('web01').disks[0]!.datastore;
    expect(r.path).toBe(`[${ds}] vc-clone01/vc-clone01.vmx`);
    expect(r.unregisterOn).toBe('InvalidPowerState');
    expect(r.unregister).toBeNull();
    expect(r.gone).toBe(true);
    expect(r.name).toBe('vc-clone01');
    expect(r.files).toEqual([`[${ds}] vc-clone01/vc-clone01.vmdk`]);
    expect(r.registerUnknown).toEqual(inTask('NotFound'));
    expect(r.registerAgain).toEqual(inTask('AlreadyExists'));
    expect(r.registerTakenName).toEqual(inTask('DuplicateName'));
    const c = steps['clone-created']!;
    expect(c.result).toEqual({ task: true, fault: null });
    expect(c.power).toBe('poweredOn');
    expect(c.files).toEqual(['[datastore1] vc-clone02/vc-clone02.vmdk', '[datastore1] vc-clone02/vc-clone02_1.vmdk']);
    expect(c.controllers).toEqual(['ParaVirtualSCSIController']);
  });

  test('ImportVApp and ExportVm: HttpNfcLease device URLs on the ESXi host accept and serve flat disk bytes', () => {
    const l = steps.lease!;
    expect(l.exportOn).toBe('InvalidPowerState');
    expect(l.importState).toBe('ready');
    const web01 = vmNamed('web01');
    expect(String(l.importUrl)).toMatch(/^https:\/\/esxi-\d+\.lab\.test\/nfc\/52[0-9a-f]{30}\/disk-0\.vmdk$/);
    expect(l.putStatus).toBe(200);
    expect(l.powerOnImporting).toEqual(inTask('InvalidState'));
    expect(l.exportTwice).toBe('InvalidState');
    expect(l.progressBad).toBe('InvalidArgument');
    expect(l.completeState).toBe('done');
    expect(l.completeAgain).toBe('InvalidState');
    expect(l.putAfterComplete).toBe(404);
    // The imported disk holds the uploaded bytes (read from the model, hashed here).
    expect(sha256(modelBytes(String(l.importedVm), Number(l.importedKey), 0, Number(l.uploadBytes)))).toBe(l.uploadSha256);
    expect(l.exportState).toBe('ready');
    expect(l.exportTargetId).toBe('disk-0.vmdk');
    expect(l.exportFileSize).toBe(2048 * 1024);
    expect(l.exportBytes).toBe(2048 * 1024);
    expect(l.exportSha256Head).toBe(l.uploadSha256);
    expect(l.exportRestZero).toBe(true);
    expect(l.getStatus).toBe(200);
    expect(l.putOnExport).toBe(405);
    expect(l.manifest).toEqual([[true, true, 2048 * 1024, true]]);
    expect(l.manifestImport).toBe('NotSupported');
    expect(l.getAfterComplete).toBe(404);
    expect(l.rangeStatus).toBe(206);
    expect(l.rangeSha256).toBe(sha256(modelBytes(web01.moid, Number(l.rangeKey), 0, 4 << 20)));
    // The thumbprint is the certificate of the host the URL names.
    const urlHost = new URL(String(l.exportUrl)).hostname;
    expect(String(l.exportThumbprint)).toBe(env.lab.endpoints().find((e) => e.hostname === urlHost && e.listener === 'https')!.sha1);
    expect(env.lab.world.inventory.hosts.map((h) => h.name)).toContain(urlHost);
    expect(l.abortState).toBe('error');
    expect(l.getAfterAbort).toBe(404);
  });

  test('guest files through vCenter (Linux and Windows): list, mkdir, delete, temp, move, transfer from guest, with guest faults', () => {
    const g = steps.guest!;
    for (const fam of ['linux', 'windows'] as const) {
      const r = g[fam] as Record<string, unknown>;
      expect(r.mkdirNoParent, fam).toBe('FileNotFound');
      expect(r.mkdir).toBeNull();
      expect(r.mkdirAgain).toBe('FileAlreadyExists');
      expect(r.put).toBe(200);
      expect(r.list).toEqual([['f.txt', 'file', (fam === 'linux' ? 'hello from linux\n' : 'hello from windows\n').length * 50], ['g.txt', 'file', 3]]);
      expect(r.listRemaining).toBe(0);
      expect(r.page).toEqual([['f.txt'], 1]);
      expect(r.pattern).toEqual(['g.txt']);
      expect(r.listMissing).toBe('FileNotFound');
      expect(r.get).toEqual([200, (r.list as [string, string, number][])[0]![2], true, fam === 'linux' ? 'PosixFileAttributes' : 'WindowsFileAttributes']);
      expect(r.fromMissing).toBe('FileNotFound');
      expect(r.fromDirectory).toBe('NotAFile');
      expect(r.toExisting).toBe('FileAlreadyExists');
      expect(r.toDirectory).toBe('NotAFile');
      expect(r.toUnderFile).toBe('NotADirectory');
      expect(r.deleteFileOnDir).toBe('NotAFile');
      expect(r.deleteDirOnFile).toBe('NotADirectory');
      expect(r.deleteDirNotEmpty).toBe('DirectoryNotEmpty');
      expect(r.mkdirUnderFile).toBe('NotADirectory');
      expect(r.deleteSystem).toBe('GuestPermissionDenied');
      expect(r.badLogin).toBe('InvalidGuestLogin');
      expect(r.moveFile).toBeNull();
      expect(r.moveFileExists).toBe('FileAlreadyExists');
      expect(r.moveDir).toBeNull();
      expect(r.moveIntoItself).toBe('InvalidArgument');
      expect(r.moveDirOnFile).toBe('NotADirectory');
      expect(r.afterMove).toEqual(['a', 'c']);
      const [tmpf, tmpd] = r.temp as string[];
      expect(tmpf).toMatch(fam === 'linux' ? /^\/tmp\/bpsim-ops\/bp[0-9a-f]{8}\.tmp$/ : /^C:\\bpsim-ops\\bp[0-9a-f]{8}\.tmp$/);
      expect(tmpd).toMatch(fam === 'linux' ? /^\/tmp\/bpd[0-9a-f]{8}$/ : /^C:\\Windows\\Temp\\bpd[0-9a-f]{8}$/);
      expect(r.tempMissingDir).toBe('FileNotFound');
      // Issue 17 point 6: refused at initiation with InvalidArgument, never a 500 from the PUT.
      expect(r.relative).toBe('InvalidArgument');
      expect(r.dotdot).toBe('InvalidArgument');
      expect(r.emptyPath).toBe('InvalidArgument');
      expect(r.extendedPath).toEqual(fam === 'windows' ? ['url', 200] : ['fault', 'InvalidArgument']);
      expect(r.deleteRecursive).toBeNull();
      expect(r.deleteFileMissing).toBe('FileNotFound');
    }
    expect(env.lab.world.guests.get(vmNamed('sql01').moid)!.getFile('C:\\x.txt')).toEqual(Buffer.from('ok'));
    expect(steps['guest-tools-off']!.list).toBe('GuestOperationsUnavailable');
    // A URL handed out before Tools stopped: the PUT says so (503), not 500.
    expect(steps['guest-tools-off']!.latePut).toBe(503);
  });
});

describe('pyVmomi against a standalone ESXi host agent', () => {
  test('the same calls where hostd has them: create/reconfigure/power/export/import/guest files; CloneVM is NotSupported', async () => {
    const web01 = vmNamed('web01');
    const host = env.lab.world.inventory.hosts.find((h) => h.moid === web01.host)!;
    const creds = env.lab.credentials;
    const written: Record<string, number> = {};
    const r = await runPyvmomi(env.lab, script, { hostname: host.name, login: 'esxi' }, {
      sections: ['devices', 'power', 'clone', 'lease', 'guest'],
      linuxVm: 'web01', linuxUser: creds['guest-linux']!.user, linuxPassword: creds['guest-linux']!.password,
    }, labHooks(written));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const s = r.steps;
    expect(s['create-vm']!.files).toEqual(['[datastore1] esx-restore01/esx-restore01.vmdk', '[datastore1] esx-restore01/esx-restore01_1.vmdk']);
    expect(s['extra-config']!.after).toEqual({ 'bpsim.b': 'two' });
    expect(s['grow-disk']).toMatchObject({ capacityInKB: 8192 });
    expect(s['cbt-new-disk']!.extents).toEqual([[1 << 20, 64 * 1024]]);
    expect((s['device-faults'] as Record<string, unknown>).shrink).toEqual(inTask('InvalidDeviceOperation'));
    expect((s.power as Record<string, unknown>).offPowerOff).toEqual(inTask('InvalidPowerState'));
    expect((s.power as Record<string, unknown>).toolsOffShutdown).toBe('ToolsUnavailable');
    expect(s.clone!.result).toEqual({ task: false, fault: 'NotSupported' });
    const l = s.lease!;
    expect(String(l.importUrl)).toMatch(/^https:\/\/\*\/nfc\/52[0-9a-f]{30}\/disk-0\.vmdk$/);
    expect(sha256(modelBytes(String(l.importedVm), Number(l.importedKey), 0, Number(l.uploadBytes)))).toBe(l.uploadSha256);
    expect(l.exportSha256Head).toBe(l.uploadSha256);
    expect(l.rangeSha256).toBe(sha256(modelBytes(web01.moid, Number(l.rangeKey), 0, 4 << 20)));
    const g = (s.guest as Record<string, Record<string, unknown>>).linux!;
    expect(g.relative).toBe('InvalidArgument');
    expect(g.deleteDirNotEmpty).toBe('DirectoryNotEmpty');
    expect(g.get).toEqual([200, 850, true, 'PosixFileAttributes']);
  }, 300_000);
});
