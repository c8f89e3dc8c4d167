import { describe, expect, test } from 'vitest';
import { ExtentSet } from '../../simulators/disk/extent-set.ts';
import { SimVirtualDisk } from '../../simulators/disk/virtual-disk.ts';
import type { ChangedAreas, Extent } from '../../simulators/disk/contract.ts';
import type { DiskSpec } from '../../simulators/inventory/types.ts';

/*
 * Hand-computed CBT answers for the cases where a wrong merge or a wrong bound is silent: the
 * expected extents are written out, not derived from the model. changeIds are used as the opaque
 * strings freeze() returns (docs/disk.md), never parsed.
 */
const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;

const set = (...runs: [number, number][]) => {
  const s = new ExtentSet();
  for (const [a, b] of runs) s.add(a, b);
  return s.extents();
};

describe('ExtentSet merges', () => {
  test('a write inside an earlier, larger one leaves the larger one whole', () => {
    expect(set([0, MiB], [4 * KiB, 8 * KiB])).toEqual([{ start: 0, length: MiB }]);
    expect(set([64 * KiB, 2 * MiB], [MiB, MiB + 512])).toEqual([{ start: 64 * KiB, length: 2 * MiB - 64 * KiB }]);
  });

  test('overlaps on either side, touching runs, runs swallowed whole, disjoint inserts', () => {
    expect(set([10, 20], [5, 12])).toEqual([{ start: 5, length: 15 }]);
    expect(set([10, 20], [15, 30])).toEqual([{ start: 10, length: 20 }]);
    expect(set([10, 20], [20, 30])).toEqual([{ start: 10, length: 20 }]);
    expect(set([10, 20], [0, 10])).toEqual([{ start: 0, length: 20 }]);
    expect(set([10, 20], [30, 40], [50, 60], [0, 100])).toEqual([{ start: 0, length: 100 }]);
    expect(set([10, 20], [30, 40], [50, 60], [15, 35])).toEqual([{ start: 10, length: 30 }, { start: 50, length: 10 }]);
    expect(set([50, 60], [10, 20], [30, 40])).toEqual([{ start: 10, length: 10 }, { start: 30, length: 10 }, { start: 50, length: 10 }]);
    expect(set([10, 20], [30, 40], [12, 14], [32, 34])).toEqual([{ start: 10, length: 10 }, { start: 30, length: 10 }]);
    expect(set([10, 10], [20, 5])).toEqual([]);
    // A merge in the middle keeps the runs after it.
    expect(set([10, 20], [30, 40], [50, 60], [70, 80], [32, 34])).toEqual([{ start: 10, length: 10 }, { start: 30, length: 10 }, { start: 50, length: 10 }, { start: 70, length: 10 }]);
    expect(set([10, 20], [30, 40], [50, 60], [70, 80], [35, 55])).toEqual([{ start: 10, length: 10 }, { start: 30, length: 30 }, { start: 70, length: 10 }]);
  });

  test('ExtentSet.of builds the set from extents given as start and length', () => {
    const s = ExtentSet.of([{ start: 30, length: 10 }, { start: 10, length: 10 }, { start: 15, length: 10 }, { start: 40, length: 5 }]);
    expect(s.extents()).toEqual([{ start: 10, length: 15 }, { start: 30, length: 15 }]);
  });

  test('totalBytes counts each byte once', () => {
    const s = new ExtentSet();
    s.add(4 * KiB, MiB);
    s.add(8 * KiB, 16 * KiB);
    s.add(MiB - 512, MiB + 512);
    s.add(2 * MiB, 2 * MiB + 512);
    expect(s.totalBytes()).toBe(MiB + 512 - 4 * KiB + 512);
    expect(s.size).toBe(2);
  });
});

function disk(): SimVirtualDisk {
  const spec: DiskSpec = {
    key: 2000, label: 'Hard disk 1', unitNumber: 0, capacityBytes: 4 * GiB, allocatedBytes: 0,
    datastore: 'datastore1', fileName: '[datastore1] cbt/cbt.vmdk', seed: 'golden-cbt', encrypted: false,
  };
  return new SimVirtualDisk('vm-cbt', spec, true);
}

const live = (d: SimVirtualDisk) => ({ disk: d, readOnly: false });
const fill = (n: number, v: number) => Buffer.alloc(n, v);

function changed(d: SimVirtualDisk, snap: string, changeId: string): Extent[] {
  const out: Extent[] = [];
  for (let off = 0; off < d.capacityBytes; ) {
    const p: ChangedAreas = d.queryChangedAreas(snap, off, changeId);
    out.push(...p.changedArea);
    off = p.startOffset + p.length;
  }
  return out;
}

describe('change log bounds', () => {
  test('changes since a snapshot stop at the later snapshot: writes after it are not reported', () => {
    const d = disk();
    d.write(live(d), 0, fill(64 * KiB, 1));
    const a = d.freeze('s1');
    d.write(live(d), MiB, fill(8 * KiB, 2));
    const b = d.freeze('s2');
    d.write(live(d), 2 * MiB, fill(4 * KiB, 3));
    d.freeze('s3');
    expect(changed(d, 's2', a.changeId!)).toEqual([{ start: MiB, length: 8 * KiB }]);
    expect(changed(d, 's3', b.changeId!)).toEqual([{ start: 2 * MiB, length: 4 * KiB }]);
    expect(changed(d, 's3', a.changeId!)).toEqual([{ start: MiB, length: 8 * KiB }, { start: 2 * MiB, length: 4 * KiB }]);
    // Nothing changed between a snapshot and itself.
    expect(changed(d, 's2', b.changeId!)).toEqual([]);
    // Before s1 nothing was ever a "change since s1".
    expect(changed(d, 's1', a.changeId!)).toEqual([]);
  });

  test('a 1 MiB write then a 4 KiB write inside it: the incremental reports the whole MiB', () => {
    const d = disk();
    const a = d.freeze('base');
    d.write(live(d), 3 * MiB, fill(MiB, 7));
    d.write(live(d), 3 * MiB + 16 * KiB, fill(4 * KiB, 9));
    d.freeze('inc');
    expect(changed(d, 'inc', a.changeId!)).toEqual([{ start: 3 * MiB, length: MiB }]);
    expect(changed(d, 'inc', '*')).toEqual([{ start: 3 * MiB, length: MiB }]);
  });

  test('reverting to a snapshot changes back what was written since: the next incremental carries it', () => {
    const d = disk();
    d.write(live(d), 0, fill(4 * KiB, 1));
    const a = d.freeze('s1');
    d.write(live(d), MiB, fill(8 * KiB, 2));
    const b = d.freeze('s2');
    d.revert('s1');
    expect(d.read(live(d), MiB, 8 * KiB)).toEqual(Buffer.alloc(8 * KiB));
    d.freeze('s3');
    // Since s2 nothing was written by the guest, but the revert changed the 8 KiB back.
    expect(changed(d, 's3', b.changeId!)).toEqual([{ start: MiB, length: 8 * KiB }]);
    expect(changed(d, 's3', a.changeId!)).toEqual([{ start: MiB, length: 8 * KiB }]);
  });

  test('points past the ninth still answer (two-digit sequence numbers)', () => {
    const d = disk();
    const ids = Array.from({ length: 12 }, (_, i) => {
      d.write(live(d), i * MiB, fill(512, i + 1));
      return d.freeze(`p${i}`).changeId!;
    });
    d.write(live(d), 100 * MiB, fill(512, 1));
    d.freeze('last');
    expect(changed(d, 'last', ids[10]!)).toEqual([{ start: 11 * MiB, length: 512 }, { start: 100 * MiB, length: 512 }]);
  });

  test('after a CBT reset, earlier changeIds fail and new ones work', () => {
    const d = disk();
    const a = d.freeze('a');
    d.resetCbt();
    const b = d.freeze('b');
    d.write(live(d), 0, fill(512, 1));
    d.freeze('c');
    expect(() => d.queryChangedAreas('c', 0, a.changeId!)).toThrow(expect.objectContaining({ fault: 'FileFault' }));
    expect(changed(d, 'c', b.changeId!)).toEqual([{ start: 0, length: 512 }]);
  });
});
