import { mkdtemp, rm } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Lab } from '../../simulators/lab.ts';
import { alignToBlocks } from '../../proxy/flows/blocks.ts';
import { proxyFor } from '../../testing/proxy.ts';
import { startTestLab } from '../helpers/lab.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bpsim-cbt-restart-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const MiB = 1024 * 1024;
const diskOf = (lab: Lab, name: string) => lab.world.disks.forVm(lab.world.inventory.vms.find((v) => v.name === name)!.moid)[0]!;

// issue 17 point 1: the changeId of a backup from before a lab restart must not be answered as "nothing changed".
test('after a restart on the same state dir, a backup based on the old changeId falls back to a full and uploads the new 8 MiB', async () => {
  let oldChangeId: string | undefined;
  {
    const lab = await startTestLab({ stateDir: dir });
    const proxy = proxyFor(lab, { name: 'proxy-before' });
    try {
      const full = await proxy.backupVm({ vm: 'web01' });
      expect(full.kind).toBe('full');
      oldChangeId = full.disks[0]!.changeId;
    } finally {
      proxy.close();
      await lab.stop();
    }
  }
  const lab = await startTestLab({ stateDir: dir });
  const proxy = proxyFor(lab, { name: 'proxy-after' });
  const logs: string[] = [];
  proxy.events.on('log', (l) => logs.push(`${l.level} ${l.message}`));
  try {
    const disk = diskOf(lab, 'web01');
    // A new epoch, not the old UUID with the sequence starting over.
    const epoch = (id: string | undefined) => id?.slice(0, id.lastIndexOf('/'));
    expect(epoch(disk.currentChangeId)).not.toBe(epoch(oldChangeId));
    // 8 MiB of fresh data, block aligned, inside the disk's first allocated run.
    const at = alignToBlocks(disk.allocatedExtents(), proxy.config.blockSize, disk.capacityBytes)[0]!.start;
    disk.write({ disk, readOnly: false }, at, randomBytes(8 * MiB));
    const newBlocks = (8 * MiB) / proxy.config.blockSize;

    const next = await proxy.backupVm({ vm: 'web01' });
    expect(next.kind).toBe('full');
    expect(next.fullFallbacks).toEqual([disk.key]);
    expect(next.blocksUploaded).toBe(newBlocks);
    expect(logs.some((l) => l.startsWith('warn') && l.includes(oldChangeId!) && /no longer valid/.test(l))).toBe(true);
    // The job result says why too (FileFault from QueryChangedDiskAreas, named in the warning).
    expect(next.warnings).toEqual([expect.stringMatching(/changeId .*\/\d+ is no longer valid.*falling back to a full read/)]);
    // And the incremental after it is based on this run's changeId again.
    disk.write({ disk, readOnly: false }, at, randomBytes(proxy.config.blockSize));
    const inc = await proxy.backupVm({ vm: 'web01' });
    expect(inc).toMatchObject({ kind: 'incremental', fullFallbacks: [], blocksUploaded: 1 });
  } finally {
    proxy.close();
    await lab.stop();
  }
});
