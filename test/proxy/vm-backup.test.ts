import { describe, test, expect, beforeEach, afterEach } from 'vitest';
import { createHash } from 'node:crypto';
import type { Lab } from '../../simulators/lab.ts';
import type { BackupProxy } from '../../proxy/backup-proxy.ts';
import type { Extent, VirtualDisk } from '../../simulators/disk/contract.ts';
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

/** Offsets of the blocks a set of extents touches, found naively (a set of block indices), not with the proxy's alignToBlocks. */
function blockOffsets(extents: Extent[], blockSize: number): number[] {
  const seen = new Set<number>();
  for (const x of extents) for (let b = Math.floor(x.start / blockSize); b * blockSize < x.start + x.length; b++) seen.add(b);
  return [...seen].sort((a, b) => a - b).map((b) => b * blockSize);
}

const blocksTouched = (extents: Extent[], blockSize: number): number => blockOffsets(extents, blockSize).length;

/** Every manifest extent's hash equals SHA-256 (node:crypto) of the source disk's bytes there. */
function expectManifestMatchesDisk(disk: VirtualDisk, extents: { offset: number; length: number; hash: string }[]): void {
  for (const e of extents) {
    const bytes = disk.read({ disk, readOnly: true }, e.offset, e.length);
    expect(createHash('sha256').update(bytes).digest('hex'), `block at ${e.offset}`).toBe(e.hash);
  }
}

const ticketCalls = () => lab.recorder.find({ kind: 'request', from: 'proxy', to: 'vcenter', summary: /^Nfc(GetVmFiles|RandomAccessOpenDisk)/ }).length;

function disksOf(name: string) {
  const vm = lab.world.inventory.vms.find((v) => v.name === name)!;
  return lab.world.disks.forVm(vm.moid);
}

describe('VM backup over the wire', () => {
  test('full then incremental: the incremental uploads exactly the blocks the guest changed', async () => {
    const full = await proxy.backupVm({ vm: 'web01' });
    expect(full.kind).toBe('full');
    const [disk] = disksOf('web01');
    const allocatedBlocks = blocksTouched(disk!.allocatedExtents(), proxy.config.blockSize);
    expect(full.blocks).toBe(allocatedBlocks);
    expect(full.target).toBe('cloudcache');
    const fullManifest = await proxy.cloud.getManifest(full.manifestId);
    expect(fullManifest.disks[0]!.extents).toHaveLength(allocatedBlocks);
    expectManifestMatchesDisk(disk!, fullManifest.disks[0]!.extents);
    expect(full.probe).toMatchObject({ kind: 'ssh', state: 'open' });

    const write = disk!.guestWrite({ percent: 5, extents: 3, seed: 'test' });
    const changedBlocks = blocksTouched(write.extents, proxy.config.blockSize);
    const inc = await proxy.backupVm({ vm: 'web01' });
    expect(inc.kind).toBe('incremental');
    expect(inc.blocks).toBe(changedBlocks);
    expect(inc.blocksUploaded).toBe(changedBlocks);
    expect(inc.bytesRead).toBeLessThan(full.bytesRead);

    // The incremental's manifest describes the whole disk: unchanged blocks carried forward.
    const manifest = await proxy.cloud.getManifest(inc.manifestId);
    expect(manifest.disks[0]!.extents.length).toBe(blocksTouched(disk!.allocatedExtents(), proxy.config.blockSize));
    expect(manifest.basedOn).toBe(full.manifestId);
    // Carried-forward and new blocks alike hash to what the disk holds now.
    expectManifestMatchesDisk(disk!, manifest.disks[0]!.extents);
    // The snapshot was removed: the VM has none left.
    const moid = lab.world.inventory.vms.find((v) => v.name === 'web01')!.moid;
    expect(lab.world.vsphere.vms.get(moid)!.snapshots.size).toBe(0);
  });

  // Tests that prove a decision, not a data volume, back up vault01 (8 MiB) rather than web01 (32 MiB).
  test('a second full backup of unchanged data is deduplicated: nothing is uploaded again', async () => {
    await proxy.backupVm({ vm: 'vault01' });
    const again = await proxy.backupVm({ vm: 'vault01', mode: 'full' });
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
    expect(next.blocks).toBe(blocksTouched(disk!.allocatedExtents(), proxy.config.blockSize));
    expect(next.blocks).toBeGreaterThanOrEqual(full.blocks);
    expect(logs.some((l) => /CBT reset/.test(l))).toBe(true);
  });

  test('CloudCache offline: the backup goes straight to the cloud', async () => {
    lab.faults.set({ target: 'cloudcache', type: 'cloudcache-offline', params: {} });
    const r = await proxy.backupVm({ vm: 'vault01' });
    expect(r.target).toBe('cloud');
    expect(lab.recorder.find({ kind: 'request', from: 'proxy', to: 'cloud', summary: /^PUT \/api\/v1\/blocks\// }).length).toBe(r.blocksUploaded);
    expect(logs.some((l) => /CloudCache unreachable/.test(l))).toBe(true);
  });

  test('a rejected NFC ticket is retried once with a fresh ticket', async () => {
    const esxi = lab.world.inventory.hosts.find((h) => h.moid === lab.world.inventory.vms.find((v) => v.name === 'vault01')!.host)!;
    lab.faults.set({ target: esxi.component, type: 'ticket-rejected', params: {}, remaining: 1 });
    const before = ticketCalls();
    const r = await proxy.backupVm({ vm: 'vault01' });
    const [disk] = disksOf('vault01');
    expect(r.blocks).toBe(blocksTouched(disk!.allocatedExtents(), proxy.config.blockSize));
    // One disk: one ticket, plus exactly one more for the rejected one; authd saw one rejection.
    expect(ticketCalls() - before).toBe(2);
    expect(logs.filter((l) => /asking vCenter for a new one/.test(l))).toHaveLength(1);
  });

  test('a quiesce failure: a crash-consistent snapshot instead, the job succeeds with a warning and leaves no snapshot behind', async () => {
    lab.faults.set({ target: 'vcenter', type: 'snapshot-quiesce-failure', params: {}, remaining: 1 });
    // vault01: the smallest VM whose Tools run (so the proxy asks for a quiesced snapshot first).
    const r = await proxy.backupVm({ vm: 'vault01' });
    expect(r.quiesced).toBe(false);
    expect(r.warnings).toEqual([expect.stringMatching(/ApplicationQuiesceFault.*crash-consistent snapshot \(quiesce=false\)/)]);
    expect(logs.some((l) => l.startsWith('warn') && /quiesce=false/.test(l))).toBe(true);
    const moid = lab.world.inventory.vms.find((v) => v.name === 'vault01')!.moid;
    expect(lab.world.vsphere.vms.get(moid)!.snapshots.size).toBe(0);
  });

  test('a 902 reset mid-read: a new ticket and NFC session, reading resumes at the confirmed offset (no block read twice)', async () => {
    const [disk] = disksOf('web01');
    const blocks = blockOffsets(disk!.allocatedExtents(), proxy.config.blockSize);
    lab.faults.set({ target: 'esxi-02:authd', type: 'reset-after', params: { bytes: 12_000_000 }, remaining: 1 });
    const r = await proxy.backupVm({ vm: 'web01' });
    expect(r.nfcResumes).toBe(1);
    // Restarting from zero would read the blocks before the reset twice.
    expect(r.blocks).toBe(blocks.length);
    const line = logs.find((l) => /resuming at offset/.test(l))!;
    expect(Number(/resuming at offset (\d+)/.exec(line)![1])).toBeGreaterThan(0);
    // The manifest names every block once.
    const manifest = await proxy.cloud.getManifest(r.manifestId);
    expect(manifest.disks[0]!.extents.map((e) => e.offset)).toEqual(blocks);
  });
});
