import { describe, test, expect, beforeEach, afterEach } from 'vitest';
import type { Lab } from '../../simulators/lab.ts';
import type { BackupProxy } from '../../proxy/backup-proxy.ts';
import { alignToBlocks } from '../../proxy/flows/blocks.ts';
import { startTestLab } from '../helpers/lab.ts';
import { proxyFor } from '../../testing/proxy.ts';

let lab: Lab;
let proxy: BackupProxy;
const logs: string[] = [];

beforeEach(async () => {
  lab = await startTestLab();
  proxy = proxyFor(lab);
  logs.length = 0;
  proxy.events.on('log', (l) => logs.push(`${l.level} ${l.message}`));
});
afterEach(async () => {
  proxy.close();
  await lab.stop();
});

function disksOf(name: string) {
  const vm = lab.world.inventory.vms.find((v) => v.name === name)!;
  return lab.world.disks.forVm(vm.moid);
}

describe('VM backup over the wire', () => {
  test('full then incremental: the incremental uploads exactly the blocks the guest changed', async () => {
    const full = await proxy.backupVm({ vm: 'web01' });
    expect(full.kind).toBe('full');
    const [disk] = disksOf('web01');
    const allocated = alignToBlocks(disk!.allocatedExtents(), proxy.config.blockSize, disk!.capacityBytes);
    expect(full.blocks).toBe(allocated.length);
    expect(full.target).toBe('cloudcache');
    expect(full.probe).toMatchObject({ kind: 'ssh', state: 'open' });

    const write = disk!.guestWrite({ percent: 5, extents: 3, seed: 'test' });
    const changedBlocks = alignToBlocks(write.extents, proxy.config.blockSize, disk!.capacityBytes).length;
    const inc = await proxy.backupVm({ vm: 'web01' });
    expect(inc.kind).toBe('incremental');
    expect(inc.blocks).toBe(changedBlocks);
    expect(inc.blocksUploaded).toBe(changedBlocks);
    expect(inc.bytesRead).toBeLessThan(full.bytesRead);

    // The incremental's manifest describes the whole disk: unchanged blocks carried forward.
    const manifest = await proxy.cloud.getManifest(inc.manifestId);
    expect(manifest.disks[0]!.extents.length).toBeGreaterThanOrEqual(allocated.length);
    expect(manifest.basedOn).toBe(full.manifestId);
    // The snapshot was removed: the VM has none left.
    const moid = lab.world.inventory.vms.find((v) => v.name === 'web01')!.moid;
    expect(lab.world.vsphere.vms.get(moid)!.snapshots.size).toBe(0);
  });

  test('a second full backup of unchanged data is deduplicated: nothing is uploaded again', async () => {
    await proxy.backupVm({ vm: 'web01' });
    const again = await proxy.backupVm({ vm: 'web01', mode: 'full' });
    expect(again.kind).toBe('full');
    expect(again.blocks).toBeGreaterThan(0);
    expect(again.blocksUploaded).toBe(0);
    expect(again.bytesSent).toBe(0);
  });

  test('a CBT reset makes the next incremental fall back to a full read', async () => {
    const full = await proxy.backupVm({ vm: 'web01' });
    lab.faults.set({ target: 'vcenter', type: 'cbt-reset', params: { vm: 'web01' }, remaining: 1 });
    const [disk] = disksOf('web01');
    disk!.guestWrite({ percent: 1, extents: 1 });
    const next = await proxy.backupVm({ vm: 'web01' });
    expect(next.kind).toBe('full');
    expect(next.fullFallbacks).toEqual([2000]);
    // Every allocated block is read again, including any the guest write just allocated.
    expect(next.blocks).toBe(alignToBlocks(disk!.allocatedExtents(), proxy.config.blockSize, disk!.capacityBytes).length);
    expect(next.blocks).toBeGreaterThanOrEqual(full.blocks);
    expect(logs.some((l) => /CBT reset/.test(l))).toBe(true);
  });

  test('CloudCache offline: the backup goes straight to the cloud', async () => {
    lab.faults.set({ target: 'cloudcache', type: 'cloudcache-offline', params: {} });
    const r = await proxy.backupVm({ vm: 'web01' });
    expect(r.target).toBe('cloud');
    expect(lab.recorder.find({ kind: 'request', from: 'proxy', to: 'cloud', summary: /^PUT \/api\/v1\/blocks\// }).length).toBe(r.blocksUploaded);
    expect(logs.some((l) => /CloudCache unreachable/.test(l))).toBe(true);
  });

  test('a rejected NFC ticket is retried once with a fresh ticket', async () => {
    const esxi = lab.world.inventory.hosts.find((h) => h.moid === lab.world.inventory.vms.find((v) => v.name === 'web01')!.host)!;
    lab.faults.set({ target: esxi.component, type: 'ticket-rejected', params: {}, remaining: 1 });
    const r = await proxy.backupVm({ vm: 'web01' });
    expect(r.blocks).toBeGreaterThan(0);
    expect(logs.some((l) => /asking vCenter for a new one/.test(l))).toBe(true);
  });

  test('a quiesce failure: a crash-consistent snapshot instead, the job succeeds with a warning and leaves no snapshot behind', async () => {
    lab.faults.set({ target: 'vcenter', type: 'snapshot-quiesce-failure', params: {}, remaining: 1 });
    const r = await proxy.backupVm({ vm: 'sql01' });
    expect(r.quiesced).toBe(false);
    expect(r.warnings).toEqual([expect.stringMatching(/ApplicationQuiesceFault.*crash-consistent snapshot \(quiesce=false\)/)]);
    expect(logs.some((l) => l.startsWith('warn') && /quiesce=false/.test(l))).toBe(true);
    const moid = lab.world.inventory.vms.find((v) => v.name === 'sql01')!.moid;
    expect(lab.world.vsphere.vms.get(moid)!.snapshots.size).toBe(0);
  });

  test('a 902 reset mid-read: a new ticket and NFC session, reading resumes at the confirmed offset (no block read twice)', async () => {
    const [disk] = disksOf('web01');
    const blocks = alignToBlocks(disk!.allocatedExtents(), proxy.config.blockSize, disk!.capacityBytes);
    lab.faults.set({ target: 'esxi-02:authd', type: 'reset-after', params: { bytes: 12_000_000 }, remaining: 1 });
    const r = await proxy.backupVm({ vm: 'web01' });
    expect(r.nfcResumes).toBe(1);
    // Restarting from zero would read the blocks before the reset twice.
    expect(r.blocks).toBe(blocks.length);
    const line = logs.find((l) => /resuming at offset/.test(l))!;
    expect(Number(/resuming at offset (\d+)/.exec(line)![1])).toBeGreaterThan(0);
    // The manifest names every block once.
    const manifest = await proxy.cloud.getManifest(r.manifestId);
    expect(manifest.disks[0]!.extents.map((e) => e.offset)).toEqual(blocks.map((e) => e.start));
  });
});
