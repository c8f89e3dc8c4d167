import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { Lab } from '../../simulators/lab.ts';
import type { BackupProxy } from '../../proxy/backup-proxy.ts';
import { alignToBlocks } from '../../proxy/flows/blocks.ts';
import { proxyFor } from '../../testing/proxy.ts';
import { startTestLab } from '../helpers/lab.ts';

let lab: Lab;
let proxy: BackupProxy;
const logs: string[] = [];

beforeEach(async () => {
  lab = await startTestLab({ without: ['guests'] });
  proxy = proxyFor(lab);
  logs.length = 0;
  proxy.events.on("log", (l) => { logs.push(`${l.level} ${l.message}`); if (process.env.DBG) console.log(Date.now() % 100000, l.message); });
});
afterEach(async () => {
  proxy.close();
  await lab.stop();
});

const diskOf = (name: string) => lab.world.disks.forVm(lab.world.inventory.vms.find((v) => v.name === name)!.moid)[0]!;

describe('the simulated proxy copes', () => {
  test('a 902 reset mid-read: a new ticket and NFC session, reading resumes at the confirmed offset (no block read twice)', async () => {
    const disk = diskOf('web01');
    const blocks = alignToBlocks(disk.allocatedExtents(), proxy.config.blockSize, disk.capacityBytes).length;
    lab.faults.set({ target: 'esxi-02:authd', type: 'reset-after', params: { bytes: 3_000_000 }, remaining: 1 });
    const r = await proxy.backupVm({ vm: 'web01' });
    expect(r.nfcResumes).toBe(1);
    // Restarting from zero would read the blocks before the reset twice.
    expect(r.blocks).toBe(blocks);
    const line = logs.find((l) => /resuming at offset/.test(l))!;
    expect(Number(/resuming at offset (\d+)/.exec(line)![1])).toBeGreaterThan(0);
    // The manifest describes every block once, with the disk's real content.
    const manifest = await proxy.cloud.getManifest(r.manifestId);
    expect(manifest.disks[0]!.extents.map((e) => e.offset)).toEqual(alignToBlocks(disk.allocatedExtents(), proxy.config.blockSize, disk.capacityBytes).map((e) => e.start));
  });

  test('a quiesce failure: a crash-consistent snapshot, the job succeeds with a warning', async () => {
    lab.faults.set({ target: 'vcenter', type: 'snapshot-quiesce-failure', params: {}, remaining: 1 });
    const r = await proxy.backupVm({ vm: 'vault01' });
    expect(r.quiesced).toBe(false);
    expect(r.warnings).toEqual([expect.stringMatching(/ApplicationQuiesceFault.*crash-consistent snapshot \(quiesce=false\)/)]);
    expect(logs.some((l) => l.startsWith('warn') && /quiesce=false/.test(l))).toBe(true);
  });
});
