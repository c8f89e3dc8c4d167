import { createHash } from 'node:crypto';
import { describe, test, expect } from 'vitest';
import type { Lab } from '../../simulators/lab.ts';
import type { BackupProxy } from '../../proxy/backup-proxy.ts';
import type { SnapshotManifest } from '../../simulators/core/codecs/cloud-api.ts';
import { proxyFor } from '../../testing/proxy.ts';
import { flowLab, failure } from '../helpers/flow-lab.ts';

/**
 * The decisions of the DR restore flow, one shared lab: which backup, which name, datastore and
 * guest OS, what reached ESXi's disks, the verification, power-on and the RDP/SSH probe. Each is
 * judged by the lab (inventory, disks, trace, the cloud's stored manifests), not the proxy's helpers.
 * Two small VMs: drwin (Windows, 1 GiB + 2 GiB disks) and drlin (Linux, one 3 GiB disk).
 */
const GiB = 2 ** 30;
const WIN = { name: 'drwin', guest: 'windows' as const, disks: [{ capacityGiB: 1, allocatedMiB: 2 }, { capacityGiB: 2, allocatedMiB: 1 }] };
const LIN = { name: 'drlin', guest: 'linux' as const, disks: [{ capacityGiB: 3, allocatedMiB: 1 }] };

let lab: Lab;
let proxy: BackupProxy;
/** Backups taken before the tests: two of each VM, with a guest write between them. */
const ids = { winOld: '', winNew: '', linOld: '', linNew: '' };
const { logs, progress, seqNow } = flowLab({ extraVms: [WIN, LIN] }, async (f) => {
  ({ lab, proxy } = f);
  ids.winOld = (await proxy.backupVm({ vm: WIN.name })).manifestId;
  ids.linOld = (await proxy.backupVm({ vm: LIN.name })).manifestId;
  disksOf(WIN.name)[0]!.guestWrite({ percent: 50, extents: 2, seed: 'dr-decisions' });
  disksOf(LIN.name)[0]!.guestWrite({ percent: 50, extents: 2, seed: 'dr-decisions' });
  ids.winNew = (await proxy.backupVm({ vm: WIN.name })).manifestId;
  ids.linNew = (await proxy.backupVm({ vm: LIN.name })).manifestId;
});

const inv = (name: string) => lab.world.inventory.vms.find((v) => v.name === name);
const disksOf = (name: string) => lab.world.disks.forVm(inv(name)!.moid);
const vmState = (name: string) => lab.world.vsphere.vms.get(inv(name)!.moid)!;
const dsName = (moid: string) => lab.world.inventory.datastores.find((d) => d.moid === moid)!.name;
const createVmCalls = (since: number) => lab.recorder.find({ kind: 'request', from: 'proxy', to: 'vcenter', summary: /^CreateVM_Task/, since }).length;
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const stored = (id: string) => lab.world.cloud!.manifests.get(id)!;
const bytesOf = (d: SnapshotManifest['disks'][number]) => d.extents.reduce((n, e) => n + e.length, 0);

/** A copy of a stored manifest under a new id and VM identity, changed by `edit`: a backup as another tool or version might have written it. */
let doctored = 0;
function doctor(from: string, edit: (m: SnapshotManifest) => void): SnapshotManifest {
  const m = structuredClone(stored(from));
  doctored++;
  m.id = `doctored-${doctored}`;
  m.vm = { ...m.vm, id: `doctored-vm-${doctored}`, name: `doc${doctored}` };
  edit(m);
  return lab.world.cloud!.manifests.put(m);
}

/** Runs `fn` on the new VM's vCenter state once proxy `p` logs a line starting with `line` (creation: before any disk is written; power-on: before the probe). */
function whenLogged(p: BackupProxy, line: string, name: string, fn: (vm: ReturnType<typeof vmState>) => void): void {
  const hook = (l: { message: string }) => {
    if (!l.message.startsWith(line)) return;
    p.events.off('log', hook);
    fn(vmState(name));
  };
  p.events.on('log', hook);
}
const onCreated = (name: string, fn: (vm: ReturnType<typeof vmState>) => void) => whenLogged(proxy, `created ${name} `, name, fn);
const onPoweredOn = (p: BackupProxy, name: string, fn: (vm: ReturnType<typeof vmState>) => void) => whenLogged(p, `${name}: powered on`, name, fn);

describe('DR restore: which backup', () => {
  test('by manifestId: that backup (the older one), every extent on the new disks, sizes, datastore, guest OS and name "<vm>-dr"', async () => {
    const m = stored(ids.winOld);
    const since = seqNow();
    const t0 = performance.now();
    const r = await proxy.restoreDr({ manifestId: ids.winOld });
    const elapsed = (performance.now() - t0) / 1000;
    const src = inv(WIN.name)!;
    const dst = inv('drwin-dr')!;
    expect(r.manifestId).toBe(ids.winOld);
    expect(r.vm).toBe('drwin-dr');
    expect(r.moref).toBe(dst.moid);
    expect(createVmCalls(since)).toBe(1);
    // Beside the source: its datastore, its guest OS, disks of the backed-up capacities.
    expect(dsName(dst.datastore)).toBe(dsName(src.datastore));
    expect(dst.guestId).toBe(src.guestId);
    const disks = disksOf('drwin-dr');
    expect(disks.map((d) => d.capacityBytes)).toEqual([1 * GiB, 2 * GiB]);
    // The older backup's content, not the live disk's: every extent hashes to the manifest's hash.
    for (const [i, d] of m.disks.entries()) {
      for (const e of d.extents) expect(sha256(disks[i]!.read({ disk: disks[i]!, readOnly: true }, e.offset, e.length)), `disk ${i} at ${e.offset}`).toBe(e.hash);
    }
    expect(r.disks).toEqual(disks.map((d, i) => ({ key: d.key, bytesWritten: bytesOf(m.disks[i]!), verified: true })));
    expect(r.bytesWritten).toBe(bytesOf(m.disks[0]!) + bytesOf(m.disks[1]!));
    expect(r.seconds).toBeGreaterThan(0);
    expect(r.seconds).toBeLessThanOrEqual(elapsed);
    // Powered on; a Windows guest is probed on RDP 3389, over the wire.
    expect(vmState('drwin-dr').spec.powerState).toBe('poweredOn');
    expect(r.probe).toMatchObject({ kind: 'rdp', port: 3389, state: 'open', host: dst.ip });
    expect(lab.recorder.find({ kind: 'connect', from: 'proxy', to: 'guest-drwin-dr', port: 3389, since }).length).toBeGreaterThan(0);
    expect(lab.recorder.find({ kind: 'connect', from: 'proxy', to: 'guest-drwin-dr', port: 22, since })).toHaveLength(0);
    expect(logs).toEqual(expect.arrayContaining([
      `info created drwin-dr (${dst.moid}) on ${dsName(src.datastore)} with 2 disk(s)`,
      `info drwin-dr Hard disk 1: ${(bytesOf(m.disks[0]!) / 2 ** 20).toFixed(1)} MiB written over 902 and verified`,
      `info drwin-dr Hard disk 2: ${(bytesOf(m.disks[1]!) / 2 ** 20).toFixed(1)} MiB written over 902 and verified`,
      'info drwin-dr: powered on',
      `info drwin-dr: RDP ${dst.ip}:3389 open`,
    ]));
    // One 902 session per disk, each on a read-write ticket (NfcRandomAccessOpenDisk) and closed once its disk is written and verified.
    expect(lab.recorder.find({ kind: 'request', from: 'proxy', to: 'vcenter', summary: /^NfcRandomAccessOpenDisk/, since })).toHaveLength(2);
    expect(logs.filter((l) => /^info NFC session on \S+:902 \(NBDSSL, readwrite\)$/.test(l))).toHaveLength(2);
    const on902 = (kind: 'connect' | 'close') => lab.recorder.find({ kind, from: 'proxy', port: 902, since }).length;
    expect(on902('connect')).toBeGreaterThanOrEqual(2);
    await expect.poll(() => on902('close'), { timeout: 30_000 }).toBe(on902('connect'));
    // Progress: one phase, never backwards, ending at the total of both disks.
    const dr = progress.filter((p) => p.phase === 'dr-restore');
    expect(dr.length).toBe(progress.length);
    expect(dr.at(-1)).toMatchObject({ bytesDone: r.bytesWritten, bytesTotal: r.bytesWritten });
    for (let i = 1; i < dr.length; i++) expect(dr[i]!.bytesDone).toBeGreaterThan(dr[i - 1]!.bytesDone);
  });

  test('by VM name: the latest backup of that VM; newName names the new VM', async () => {
    const r = await proxy.restoreDr({ vm: WIN.name, newName: 'drwin-latest' });
    expect(r.manifestId).toBe(ids.winNew);
    expect(r.vm).toBe('drwin-latest');
    expect(inv('drwin-latest')!.moid).toBe(r.moref);
    expect(inv('drwin-dr-latest')).toBeUndefined();
    const m = stored(ids.winNew);
    const disks = disksOf('drwin-latest');
    for (const [i, d] of m.disks.entries()) {
      for (const e of d.extents) expect(sha256(disks[i]!.read({ disk: disks[i]!, readOnly: true }, e.offset, e.length))).toBe(e.hash);
    }
  });

  test('by VM id (instance UUID): the latest backup of that VM; a Linux guest is probed on SSH 22', async () => {
    const since = seqNow();
    const r = await proxy.restoreDr({ vm: inv(LIN.name)!.instanceUuid });
    expect(r.manifestId).toBe(ids.linNew);
    expect(r.vm).toBe('drlin-dr');
    expect(disksOf('drlin-dr').map((d) => d.capacityBytes)).toEqual([3 * GiB]);
    expect(r.disks).toEqual([{ key: disksOf('drlin-dr')[0]!.key, bytesWritten: bytesOf(stored(ids.linNew).disks[0]!), verified: true }]);
    expect(r.probe).toMatchObject({ kind: 'ssh', port: 22, state: 'open', host: inv('drlin-dr')!.ip });
    expect(lab.recorder.find({ kind: 'connect', from: 'proxy', to: 'guest-drlin-dr', port: 22, since }).length).toBeGreaterThan(0);
    expect(lab.recorder.find({ kind: 'connect', from: 'proxy', to: 'guest-drlin-dr', port: 3389, since })).toHaveLength(0);
    expect(logs).toContain(`info drlin-dr: SSH ${inv('drlin-dr')!.ip}:22 open`);
  });

  test('neither manifestId nor vm: refused before vCenter is asked for anything', async () => {
    const since = seqNow();
    const err = await failure(proxy.restoreDr({}));
    expect(err).toMatchObject({ errorClass: 'invalid-state', message: 'a DR restore needs a manifestId or a vm' });
    expect(lab.recorder.find({ kind: 'request', from: 'proxy', to: 'vcenter', since })).toHaveLength(0);
  });

  test('a VM the cloud has no backup of: not-found, no VM created', async () => {
    const since = seqNow();
    const err = await failure(proxy.restoreDr({ vm: 'never-backed-up' }));
    expect(err).toMatchObject({ errorClass: 'not-found', message: 'no backup of never-backed-up in the cloud' });
    expect(createVmCalls(since)).toBe(0);
  });
});

describe('DR restore: where and as what', () => {
  test('params.datastore wins over the manifest\'s', async () => {
    const other = lab.world.inventory.datastores.find((d) => d.name !== dsName(inv(LIN.name)!.datastore))!;
    const r = await proxy.restoreDr({ manifestId: ids.linOld, newName: 'drlin-elsewhere', datastore: other.name });
    expect(dsName(inv('drlin-elsewhere')!.datastore)).toBe(other.name);
    expect(logs).toContain(`info created drlin-elsewhere (${r.moref}) on ${other.name} with 1 disk(s)`);
  });

  test('a manifest whose disk file names no datastore: refused unless one is given', async () => {
    const m = doctor(ids.linOld, (x) => {
      x.disks[0]!.fileName = 'drlin/drlin.vmdk';
    });
    const since = seqNow();
    const err = await failure(proxy.restoreDr({ manifestId: m.id! }));
    expect(err).toMatchObject({ errorClass: 'invalid-state', message: 'the backup does not say which datastore its disks were on; pass a datastore' });
    expect(createVmCalls(since)).toBe(0);
    const ds = lab.world.inventory.datastores[0]!.name;
    const r = await proxy.restoreDr({ manifestId: m.id!, datastore: ds });
    expect(r.vm).toBe(`${m.vm.name}-dr`);
    expect(dsName(inv(r.vm)!.datastore)).toBe(ds);
  });

  test('a datastore in brackets that does not start the file name is no datastore; neither is a backup without disks', async () => {
    const ds = lab.world.inventory.datastores[0]!.name;
    const inside = doctor(ids.linOld, (x) => {
      x.disks[0]!.fileName = `old/[${ds}] drlin.vmdk`;
    });
    const none = doctor(ids.linOld, (x) => {
      x.disks = [];
    });
    for (const m of [inside, none]) {
      await expect(proxy.restoreDr({ manifestId: m.id! })).rejects.toMatchObject({ errorClass: 'invalid-state', message: 'the backup does not say which datastore its disks were on; pass a datastore' });
    }
  });

  test('a manifest without a guestId: the new VM is otherGuest64 (Linux family, SSH probe)', async () => {
    const m = doctor(ids.linOld, (x) => {
      delete x.vm.guestId;
    });
    const r = await proxy.restoreDr({ manifestId: m.id! });
    expect(inv(r.vm)!.guestId).toBe('otherGuest64');
    expect(r.probe).toMatchObject({ kind: 'ssh', port: 22, state: 'open' });
  });

  test('a manifest without a VM name: the new VM is "vm-dr"', async () => {
    const m = doctor(ids.linOld, (x) => {
      delete x.vm.name;
    });
    const r = await proxy.restoreDr({ manifestId: m.id! });
    expect(r.vm).toBe('vm-dr');
    expect(inv('vm-dr')!.moid).toBe(r.moref);
  });

  test('the guest family vCenter reports decides the probe over the guestId', async () => {
    // A Windows guestId, but the guest reports the Linux family: SSH.
    onCreated('drwin-family', (vm) => (vm.spec.guestFamily = 'linuxGuest'));
    const r = await proxy.restoreDr({ manifestId: ids.winOld, newName: 'drwin-family' });
    expect(inv('drwin-family')!.guestId).toBe(inv(WIN.name)!.guestId);
    expect(r.probe).toMatchObject({ kind: 'ssh', port: 22 });
  });
});

describe('DR restore: what stops it', () => {
  let quickProxies = 0;
  /** A proxy that waits `drBoot` ms for the new VM to answer. A refused port answers at once: the long probe timeout only keeps a loaded machine from reading "filtered". */
  const bootProxy = (name: string, drBoot: number) => proxyFor(lab, { name, timeouts: { task: 120_000, guestStart: 30_000, probe: 30_000, drBoot } });
  /** Each proxy activates under its own name. */
  const quick = () => bootProxy(`proxy-quickboot-${++quickProxies}`, 1_000);

  test('the probe port never opens within drBoot: a probe error naming the port, after the VM was powered on', async () => {
    lab.faults.set({ target: 'guest-drlin-closed:ssh', type: 'refuse', params: {} });
    const p = quick();
    const plogs: string[] = [];
    p.events.on('log', (l) => plogs.push(l.message));
    const since = seqNow();
    try {
      const err = await failure(p.restoreDr({ manifestId: ids.linOld, newName: 'drlin-closed' }));
      expect(err.errorClass).toBe('probe');
      expect(err.message).toMatch(/^drlin-closed did not open SSH within 1000 ms \(closed: .+\)$/);
    } finally {
      p.close();
    }
    expect(vmState('drlin-closed').spec.powerState).toBe('poweredOn');
    expect(lab.recorder.find({ kind: 'request', from: 'proxy', to: 'vcenter', summary: /^PowerOnVM_Task/, since })).toHaveLength(1);
    expect(plogs).toContain(`drlin-closed: SSH ${inv('drlin-closed')!.ip}:22 closed`);
    expect(plogs).toContain('drlin-closed: powered on');
  });

  test('a port closed at the first probe: probed again until it opens', async () => {
    lab.faults.set({ target: 'guest-drlin-late:ssh', type: 'refuse', params: {}, remaining: 1 });
    const since = seqNow();
    const r = await proxy.restoreDr({ manifestId: ids.linOld, newName: 'drlin-late' });
    expect(r.probe).toMatchObject({ kind: 'ssh', port: 22, state: 'open' });
    expect(lab.recorder.find({ kind: 'connect', from: 'proxy', to: 'guest-drlin-late', port: 22, since }).length).toBeGreaterThanOrEqual(2);
    expect(logs).toContain(`info drlin-late: SSH ${inv('drlin-late')!.ip}:22 open`);
  });

  test('drBoot 0: no probe runs, the restore fails saying so', async () => {
    const p = bootProxy('proxy-noboot', 0);
    const plogs: string[] = [];
    p.events.on('log', (l) => plogs.push(l.message));
    const since = seqNow();
    try {
      const err = await failure(p.restoreDr({ manifestId: ids.linOld, newName: 'drlin-noboot' }));
      expect(err).toMatchObject({ errorClass: 'probe', message: 'drlin-noboot did not open SSH within 0 ms (skipped: no probe ran before the deadline)' });
    } finally {
      p.close();
    }
    expect(lab.recorder.find({ from: 'proxy', to: 'guest-drlin-noboot', since })).toHaveLength(0);
    // No host was probed: the log names none.
    expect(plogs).toContain('drlin-noboot: SSH :22 skipped');
  });

  // No guest family reported (Tools not running, so no IP either): the guestId decides the kind, ignoring case,
  // and only a guestId starting with "win" is Windows (darwin has "win" inside); the probe is skipped until drBoot.
  test.each([
    { from: 'winOld' as const, guestId: 'Windows9Server64Guest', name: 'drwin-notools', kind: 'RDP' },
    { from: 'linOld' as const, guestId: 'darwin64Guest', name: 'drlin-notools', kind: 'SSH' },
  ])('no guest family reported, guestId $guestId: $kind, skipped until drBoot', async ({ from, guestId, name, kind }) => {
    const m = doctor(ids[from], (x) => {
      x.vm.guestId = guestId;
    });
    const p = quick();
    onPoweredOn(p, name, (vm) => (vm.spec.toolsRunning = false));
    try {
      const err = await failure(p.restoreDr({ manifestId: m.id!, newName: name }));
      expect(err).toMatchObject({ errorClass: 'probe', message: `${name} did not open ${kind} within 1000 ms (skipped: the VM reports no IP address (powered off or no VMware Tools))` });
    } finally {
      p.close();
    }
  });

  test('a block shorter than the manifest says: integrity, named by hash and both lengths; nothing powered on', async () => {
    let hash = '';
    let length = 0;
    const m = doctor(ids.linOld, (x) => {
      const e = x.disks[0]!.extents[0]!;
      hash = e.hash;
      length = e.length;
      e.length += 512;
    });
    const since = seqNow();
    const err = await failure(proxy.restoreDr({ manifestId: m.id! }));
    expect(err).toMatchObject({ errorClass: 'integrity', message: `block ${hash.slice(0, 12)} has ${length} bytes, the manifest says ${length + 512}` });
    expect(lab.recorder.find({ kind: 'request', from: 'proxy', to: 'vcenter', summary: /^PowerOnVM_Task/, since })).toHaveLength(0);
  });

  test('a disk that stores something else than was written: the read-back check fails at that block', async () => {
    const first = stored(ids.linOld).disks[0]!.extents[0]!;
    onCreated('drlin-badwrite', (vm) => {
      const disk = lab.world.disks.forVm(vm.spec.moid)[0]!;
      const write = disk.write.bind(disk);
      disk.write = (view, offset, data) => {
        const bad = Buffer.from(data);
        if (offset === first.offset) bad[0] = bad[0]! ^ 0xff;
        write(view, offset, bad);
      };
    });
    const since = seqNow();
    const err = await failure(proxy.restoreDr({ manifestId: ids.linOld, newName: 'drlin-badwrite' }));
    expect(err).toMatchObject({ errorClass: 'integrity', message: `drlin-badwrite Hard disk 1: block at ${first.offset} reads back differently from the backup` });
    expect(lab.recorder.find({ kind: 'request', from: 'proxy', to: 'vcenter', summary: /^PowerOnVM_Task/, since })).toHaveLength(0);
    expect(logs.some((l) => /drlin-badwrite Hard disk 1: .* verified/.test(l))).toBe(false);
  });

  test('a block replaced in the cloud store: integrity before anything is written wrong', async () => {
    const e = stored(ids.linOld).disks[0]!.extents[0]!;
    // No CloudCache detour: the block is damaged at rest in the cloud, read by the proxy from there.
    const direct = proxyFor(lab, { name: 'proxy-dr-direct', cloudcache: null });
    lab.faults.set({ target: 'cloud', type: 'block-corrupted', params: { hash: e.hash }, remaining: 1 });
    try {
      const err = await failure(direct.restoreDr({ manifestId: ids.linOld, newName: 'drlin-rotten' }));
      expect(err.errorClass).toBe('integrity');
      expect(err.message).toContain(e.hash);
    } finally {
      direct.close();
    }
    // The damaged block was quarantined: a new full backup stores it again for later restores.
    await proxy.backupVm({ vm: LIN.name, mode: 'full' });
  });

  test('vCenter gives the new VM fewer disks than the backup has: invalid-state after the first disk', async () => {
    onCreated('drwin-onedisk', (vm) => vm.spec.disks.pop());
    const err = await failure(proxy.restoreDr({ manifestId: ids.winOld, newName: 'drwin-onedisk' }));
    expect(err).toMatchObject({ errorClass: 'invalid-state', message: 'drwin-onedisk has 1 disks, the backup has 2' });
    expect(logs.filter((l) => /^info drwin-onedisk Hard disk 1: .* written over 902 and verified$/.test(l))).toHaveLength(1);
  });
});
