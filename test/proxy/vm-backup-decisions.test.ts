import { describe, test, expect, beforeAll, afterAll, beforeEach } from 'vitest';
import type { Lab } from '../../simulators/lab.ts';
import type { BackupProxy } from '../../proxy/backup-proxy.ts';
import type { Extent } from '../../simulators/disk/contract.ts';
import { startTestLab } from '../helpers/lab.ts';
import { proxyFor } from '../../testing/proxy.ts';

/**
 * The decisions of the VM backup flow, one shared lab: each judged by what reached vCenter, ESXi's
 * 902 or the cloud (the lab's trace, its inventory and disks), not by the proxy's own helpers.
 * Small VMs only: vault01 (8 MiB, Tools, CBT), dc01 (16 MiB, no Tools, CBT), build01 (16 MiB, off, no CBT).
 */
let lab: Lab;
let proxy: BackupProxy;
const logs: string[] = [];
const phases = new Set<string>();
const progress: { bytesDone: number; bytesTotal: number; bytesSent: number }[] = [];

beforeAll(async () => {
  lab = await startTestLab();
  proxy = proxyFor(lab);
  proxy.events.on('log', (l) => logs.push(`${l.level} ${l.message}`));
  proxy.events.on('progress', (p) => {
    progress.push(p);
    phases.add(p.phase);
  });
});
afterAll(async () => {
  proxy.close();
  await lab.stop();
});
beforeEach(() => {
  logs.length = 0;
  progress.length = 0;
  phases.clear();
  lab.faults.clear();
});

const seqNow = () => lab.recorder.last()?.seq ?? 0;
const vcCalls = (since: number, method: RegExp) => lab.recorder.find({ kind: 'request', from: 'proxy', to: 'vcenter', summary: method, since }).length;
const vmState = (name: string) => lab.world.vsphere.vms.get(lab.world.inventory.vms.find((v) => v.name === name)!.moid)!;
const disksOf = (name: string) => lab.world.disks.forVm(lab.world.inventory.vms.find((v) => v.name === name)!.moid);

/** Blocks a set of extents touches, counted naively (a set of block indices). */
function blocksTouched(extents: Extent[], blockSize: number): number {
  const seen = new Set<number>();
  for (const x of extents) for (let b = Math.floor(x.start / blockSize); b * blockSize < x.start + x.length; b++) seen.add(b);
  return seen.size;
}

describe('VM backup decisions', () => {
  test('a VM without CBT (build01, powered off, no Tools): CBT is switched on first, then a full, crash-consistent backup', async () => {
    expect(vmState('build01').spec.cbtEnabled).toBe(false);
    const since = seqNow();
    const r = await proxy.backupVm({ vm: 'build01' });
    // vSphere's way to enable CBT is a ReconfigVM_Task with changeTrackingEnabled; exactly one.
    expect(vcCalls(since, /^ReconfigVM_Task/)).toBe(1);
    expect(vmState('build01').spec.cbtEnabled).toBe(true);
    expect(logs).toContain('info build01: enabling changed block tracking');
    expect(logs).toContain('warn build01: VMware Tools not running, taking a crash-consistent snapshot');
    expect(r).toMatchObject({ kind: 'full', quiesced: false, vm: 'build01', fullFallbacks: [], warnings: [] });
    expect(r.blocks).toBe(blocksTouched(disksOf('build01')[0]!.allocatedExtents(), proxy.config.blockSize));
    expect(vmState('build01').snapshots.size).toBe(0);

    // Now CBT is on: the next backup reconfigures nothing.
    const again = seqNow();
    const inc = await proxy.backupVm({ vm: 'build01' });
    expect(vcCalls(again, /^ReconfigVM_Task/)).toBe(0);
    expect(logs.filter((l) => /enabling changed block tracking/.test(l))).toHaveLength(1);
    expect(inc.kind).toBe('incremental');
  });

  test('mode incremental without an earlier backup is refused before any snapshot is taken', async () => {
    const since = seqNow();
    await expect(proxy.backupVm({ vm: 'dc01', mode: 'incremental' })).rejects.toMatchObject({ errorClass: 'invalid-state', message: 'no earlier backup of dc01 to base an incremental on' });
    expect(vcCalls(since, /^CreateSnapshot/)).toBe(0);
  });

  test('by instance UUID: the result and manifest name the VM by its name and instance UUID from the inventory; progress adds up', async () => {
    const inv = lab.world.inventory.vms.find((v) => v.name === 'dc01')!;
    const t0 = performance.now();
    const r = await proxy.backupVm({ vm: inv.instanceUuid, mode: 'full' });
    const elapsed = (performance.now() - t0) / 1000;
    expect(r.vm).toBe('dc01');
    const m = await proxy.cloud.getManifest(r.manifestId);
    expect(m.vm).toMatchObject({ id: inv.instanceUuid, name: 'dc01', moref: inv.moid, guestId: inv.guestId });
    expect(r.quiesced).toBe(false);
    // dc01's Tools do not run: the snapshot is not quiesced.
    expect(logs.some((l) => /snapshot snapshot-\d+ created$/.test(l))).toBe(true);
    expect(logs.some((l) => /\(quiesced\)/.test(l))).toBe(false);
    expect(logs).toContain('info dc01: snapshot removed');
    // dc01 is Windows by its configured guestId; without Tools it reports no family and no IP, so the
    // probe is RDP's, skipped (real vSphere reports neither without Tools).
    expect(r.probe).toEqual({ kind: 'rdp', host: '', port: 3389, state: 'skipped', detail: 'the VM reports no IP address (powered off or no VMware Tools)' });
    // The probe lands in the manifest under its kind.
    expect(Object.keys(m.probes ?? {})).toEqual([r.probe.kind]);
    expect(m.probes![r.probe.kind]).toMatchObject({ state: r.probe.state });
    expect(logs).toContain(`info dc01: ${r.probe.kind.toUpperCase()} probe ${r.probe.host}:${r.probe.port} ${r.probe.state}`);

    // One disk: its bytes are the job's bytes, and progress ends at the totals.
    expect(r.disks).toHaveLength(1);
    expect(r.disks[0]!.bytesRead).toBe(r.bytesRead);
    expect(r.disks[0]!.bytesRead).toBe(m.disks[0]!.extents.reduce((n, e) => n + e.length, 0));
    expect(r.disks[0]!.changeId).toBe(m.disks[0]!.changeId);
    expect([...phases]).toEqual(['backup']);
    const last = progress.at(-1)!;
    expect(last).toMatchObject({ bytesDone: r.bytesRead, bytesTotal: r.bytesRead, bytesSent: r.bytesSent });
    for (let i = 1; i < progress.length; i++) expect(progress[i]!.bytesDone).toBeGreaterThanOrEqual(progress[i - 1]!.bytesDone);
    expect(logs).toContain(`info dc01: full backup, 1 disk(s), ${(r.bytesRead / 2 ** 20).toFixed(1)} MiB to read, blocks to cloudcache`);

    // Timing and ratio are consistent with the wall clock and the byte counts.
    expect(r.seconds).toBeGreaterThan(0);
    expect(r.seconds).toBeLessThanOrEqual(elapsed);
    expect(r.mbPerSecond * r.seconds * 2 ** 20).toBeCloseTo(r.bytesRead, 0);
    if (r.bytesSent > 0) expect(r.dedupRatio).toBeCloseTo(r.bytesRead / r.bytesSent, 6);
    else expect(r.dedupRatio).toBe(Infinity);
  });

  test('an incremental with nothing changed reads nothing, opens no 902 session, and carries every block forward in order', async () => {
    const full = await proxy.backupVm({ vm: 'vault01', mode: 'full' });
    const fullManifest = await proxy.cloud.getManifest(full.manifestId);
    const since = seqNow();
    const r = await proxy.backupVm({ vm: 'vault01' });
    expect(r).toMatchObject({ kind: 'incremental', blocks: 0, bytesRead: 0, bytesSent: 0, dedupRatio: 1, nfcResumes: 0 });
    expect(r.disks).toEqual([{ key: fullManifest.disks[0]!.key, changeId: expect.any(String), extentsRead: 0, bytesRead: 0 }]);
    expect(lab.recorder.find({ kind: 'request', from: 'proxy', to: 'vcenter', summary: /^Nfc/, since })).toHaveLength(0);
    expect(lab.recorder.find({ from: 'proxy', port: 902, since })).toHaveLength(0);
    const m = await proxy.cloud.getManifest(r.manifestId);
    expect(m.basedOn).toBe(full.manifestId);
    expect(m.disks[0]!.extents).toEqual(fullManifest.disks[0]!.extents);
    expect(logs).toContain('info vault01: incremental backup, 1 disk(s), 0.0 MiB to read, blocks to cloudcache');
  });

  test('an incremental after a guest write: the manifest lists every block once, sorted by offset', async () => {
    await proxy.backupVm({ vm: 'vault01', mode: 'full' });
    const [disk] = disksOf('vault01');
    disk!.guestWrite({ percent: 20, extents: 4, seed: 'decisions' });
    const r = await proxy.backupVm({ vm: 'vault01' });
    expect(r.kind).toBe('incremental');
    const offsets = (await proxy.cloud.getManifest(r.manifestId)).disks[0]!.extents.map((e) => e.offset);
    expect(offsets).toEqual([...new Set(offsets)].sort((a, b) => a - b));
    expect(offsets).toHaveLength(blocksTouched(disk!.allocatedExtents(), proxy.config.blockSize));
  });

  test('a previous backup with another block size is not a base: the next backup is full', async () => {
    await proxy.backupVm({ vm: 'vault01', mode: 'full' });
    const other = proxyFor(lab, { name: 'proxy-halfblock', blockSize: proxy.config.blockSize / 2 });
    try {
      const r = await other.backupVm({ vm: 'vault01' });
      expect(r.kind).toBe('full');
      expect(r.fullFallbacks).toEqual([]);
      expect((await other.cloud.getManifest(r.manifestId)).basedOn).toBeUndefined();
    } finally {
      other.close();
    }
  });

  test('an encrypted disk over NBD is refused before any 902 session, and the snapshot is removed', async () => {
    const nbd = proxyFor(lab, { name: 'proxy-nbd', transport: 'nbd' });
    const since = seqNow();
    try {
      await expect(nbd.backupVm({ vm: 'vault01', mode: 'full' })).rejects.toMatchObject({ errorClass: 'invalid-state', message: expect.stringMatching(/^vault01: .* is encrypted and cannot be read over NBD; use NBDSSL$/) });
    } finally {
      nbd.close();
    }
    expect(vcCalls(since, /^CreateSnapshot/)).toBe(1);
    expect(vcCalls(since, /^RemoveSnapshot/)).toBe(1);
    expect(lab.recorder.find({ from: 'proxy', port: 902, since })).toHaveLength(0);
    expect(vmState('vault01').snapshots.size).toBe(0);
  });

  test('QueryChangedDiskAreas refused for a full read ("*") is a cbt error, not a fallback; the snapshot is still removed', async () => {
    // The VM says CBT is on but the disk's tracking is off: vCenter answers FileFault even for "*".
    const [disk] = disksOf('dc01');
    disk!.changeTrackingEnabled = false;
    try {
      await expect(proxy.backupVm({ vm: 'dc01', mode: 'full' })).rejects.toMatchObject({ errorClass: 'cbt', message: expect.stringMatching(/^dc01: QueryChangedDiskAreas failed: .*change tracking is not enabled/) });
    } finally {
      disk!.changeTrackingEnabled = true;
    }
    expect(logs.some((l) => /falling back to a full read/.test(l))).toBe(false);
    expect(vmState('dc01').snapshots.size).toBe(0);
  });

  test('the snapshot already gone when the flow removes it: the backup stands, the failure is logged as an error', async () => {
    const snaps = vmState('vault01').snapshots;
    // Someone deletes the snapshot in vSphere while the flow reads it: RemoveSnapshot then has nothing to remove.
    const drop = () => snaps.clear();
    proxy.events.once('progress', drop);
    const r = await proxy.backupVm({ vm: 'vault01', mode: 'full' });
    expect(r.blocks).toBeGreaterThan(0);
    expect(logs.filter((l) => /^error vault01: could not remove the backup snapshot: .+/.test(l))).toHaveLength(1);
    expect(logs.some((l) => /snapshot removed$/.test(l))).toBe(false);
  });

  test('a refused changeId: full read of that disk, the reason in the warnings, a full manifest', async () => {
    await proxy.backupVm({ vm: 'vault01', mode: 'full' });
    lab.faults.set({ target: 'vcenter', type: 'cbt-reset', params: { vm: 'vault01' }, remaining: 1 });
    const since = seqNow();
    const r = await proxy.backupVm({ vm: 'vault01' });
    expect(r.kind).toBe('full');
    expect(r.fullFallbacks).toEqual([disksOf('vault01')[0]!.spec.key]);
    expect(r.warnings).toEqual([expect.stringMatching(/^vault01: changeId .+ is no longer valid \(CBT reset.*\); falling back to a full read of /)]);
    // Two queries on the wire: the refused changeId, then "*".
    expect(vcCalls(since, /^QueryChangedDiskAreas/)).toBe(2);
    expect((await proxy.cloud.getManifest(r.manifestId)).basedOn).toBeUndefined();
    expect(logs.filter((l) => /^warn vault01: changeId .+ is no longer valid/.test(l))).toHaveLength(1);
  });

  test('a quiesce failure: the second snapshot is asked for without quiescing', async () => {
    lab.faults.set({ target: 'vcenter', type: 'snapshot-quiesce-failure', params: {}, remaining: 1 });
    const since = seqNow();
    const r = await proxy.backupVm({ vm: 'vault01', mode: 'full' });
    expect(vcCalls(since, /^CreateSnapshot/)).toBe(2);
    expect(r.quiesced).toBe(false);
    expect(logs.filter((l) => /^info vault01: snapshot snapshot-\d+ created/.test(l))).toEqual([expect.stringMatching(/created$/)]);
  });

  test('NBD for an unencrypted disk: the NFC stream after authd is plain (vpxa-nfc)', async () => {
    const nbd = proxyFor(lab, { name: 'proxy-nbd-plain', transport: 'nbd' });
    nbd.events.on('log', (l) => logs.push(`${l.level} ${l.message}`));
    const since = seqNow();
    try {
      const r = await nbd.backupVm({ vm: 'dc01', mode: 'full' });
      expect(r.transport).toBe('nbd');
    } finally {
      nbd.close();
    }
    // authd's own TLS, then PROXY vpxa-nfc (plain NFC), not vpxa-nfcssl and a second TLS session.
    expect(lab.recorder.find({ kind: 'request', from: 'proxy', port: 902, summary: /^PROXY /, since }).map((e) => e.summary)).toEqual(['PROXY vpxa-nfc']);
    expect(logs.filter((l) => /^info NFC session on \S+:902 \(NBD, read\)$/.test(l))).toHaveLength(1);
  });
});

describe('the NFC session on 902', () => {
  const hostOf = (vm: string) => lab.world.inventory.hosts.find((h) => h.moid === lab.world.inventory.vms.find((v) => v.name === vm)!.host)!;
  const tickets = (since: number) => vcCalls(since, /^Nfc(GetVmFiles|RandomAccessOpenDisk)/);

  test('a ticket authd accepts: one ticket, one session, logged with host, port, transport and mode', async () => {
    const since = seqNow();
    // The snapshot as vCenter holds it while the flow reads.
    let snapshot: { name: string; quiesced: boolean } | undefined;
    proxy.events.once('progress', () => (snapshot = [...vmState('vault01').snapshots.values()][0]));
    const r = await proxy.backupVm({ vm: 'vault01', mode: 'full' });
    expect(snapshot).toMatchObject({ name: expect.stringMatching(/^bpsim-backup-\S+$/), quiesced: true });
    expect(logs.some((l) => /Tools not running/.test(l))).toBe(false);
    expect(tickets(since)).toBe(1);
    expect(lab.recorder.find({ kind: 'request', from: 'proxy', port: 902, summary: /^PROXY /, since }).map((e) => e.summary)).toEqual(['PROXY vpxa-nfcssl']);
    // vault01's Tools run: a quiesced snapshot, no warning.
    expect(r.quiesced).toBe(true);
    expect(r.warnings).toEqual([]);
    expect(logs.filter((l) => /^info vault01: snapshot snapshot-\d+ created \(quiesced\)$/.test(l))).toHaveLength(1);
    expect(logs.filter((l) => /^info NFC session on \S+:902 \(NBDSSL, read\)$/.test(l))).toHaveLength(1);
  });

  test('authd refusing every ticket: one retry with a fresh ticket, then the job fails and the snapshot is removed', async () => {
    lab.faults.set({ target: hostOf('vault01').component, type: 'ticket-rejected', params: {} });
    const since = seqNow();
    await expect(proxy.backupVm({ vm: 'vault01', mode: 'full' })).rejects.toThrow(/ticket rejected/);
    expect(tickets(since)).toBe(2);
    expect(logs.filter((l) => /^warn 902 refused the ticket \(.*\); asking vCenter for a new one$/.test(l))).toHaveLength(1);
    expect(vmState('vault01').snapshots.size).toBe(0);
  });

  test('a host certificate that does not match the ticket thumbprint: no retry, the job fails tls', async () => {
    lab.faults.set({ target: hostOf('vault01').component, type: 'tls-thumbprint-changed', params: {} });
    const since = seqNow();
    await expect(proxy.backupVm({ vm: 'vault01', mode: 'full' })).rejects.toMatchObject({ errorClass: 'tls' });
    expect(tickets(since)).toBe(1);
    expect(logs.some((l) => /asking vCenter for a new one/.test(l))).toBe(false);
    expect(vmState('vault01').snapshots.size).toBe(0);
  });
});
