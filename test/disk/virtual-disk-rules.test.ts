import { describe, expect, test } from 'vitest';
import { createHash } from 'node:crypto';
import { CbtError, ReadOnlyViewError, SimDiskStore, SimVirtualDisk, deltaFileName, diskGeneration, type DiskView, type Extent } from '../../simulators/disk/index.ts';
import { ChangeLog } from '../../simulators/disk/change-log.ts';
import type { DiskSpec } from '../../simulators/inventory/types.ts';

/*
 * The virtual disk's rules one by one, on disks with nothing allocated at the start so every
 * expected extent, byte and checksum is written out by hand: range checks, read-only views,
 * snapshots and delta file names, CBT on/off/reset and revert, the change counter vCenter's cache
 * keys on, copies and growth, and the checksum's documented form (per non-zero run: start and
 * length as little-endian 64-bit, then the bytes).
 */
const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;

function spec(over: Partial<DiskSpec> = {}): DiskSpec {
  return {
    key: 2000, label: 'Hard disk 1', unitNumber: 0, capacityBytes: 4 * MiB, allocatedBytes: 0,
    datastore: 'datastore1', fileName: '[datastore1] r/r.vmdk', seed: 'rules', encrypted: false, ...over,
  };
}

const live = (disk: SimVirtualDisk): DiskView => ({ disk, readOnly: false });
const snap = (disk: SimVirtualDisk, snapshotId: string): DiskView => ({ disk, snapshotId, readOnly: true });
const fill = (n: number, b: number) => Buffer.alloc(n, b);
/** Every area of a snapshot since a changeId, all pages. */
function changed(d: SimVirtualDisk, snapshotId: string, changeId: string): Extent[] {
  const out: Extent[] = [];
  for (let off = 0; off < d.capacityBytes; ) {
    const p = d.queryChangedAreas(snapshotId, off, changeId);
    out.push(...p.changedArea);
    off = p.startOffset + p.length;
  }
  return out;
}

describe('ranges and views', () => {
  test('reads must lie inside the disk: negative, fractional or past-the-end offsets and lengths are RangeErrors', () => {
    const d = new SimVirtualDisk('vm-1', spec());
    const v = live(d);
    expect(d.read(v, 4 * MiB - 512, 512)).toEqual(fill(512, 0));
    expect(d.read(v, 4 * MiB, 0)).toHaveLength(0);
    for (const [off, len] of [[-512, 512], [0, -1], [0.5, 512], [0, 1.5], [4 * MiB - 511, 512], [4 * MiB, 1], [2 ** 53, 0], [0, 2 ** 53]]) {
      expect(() => d.read(v, off!, len!), `${off}+${len}`).toThrow(RangeError);
      expect(() => d.readSlices(v, off!, len!), `${off}+${len}`).toThrow(RangeError);
      expect(() => d.readInto(v, off!, Buffer.alloc(1024), 0, len!), `${off}+${len}`).toThrow(RangeError);
    }
    expect(() => d.read(v, -1, 0)).toThrow(/range -1\+0 is past the end of \[datastore1\] r\/r\.vmdk \(capacity 4194304\)/);
    expect(() => d.write(v, 4 * MiB - 511, fill(512, 1))).toThrow(RangeError);
    expect(() => d.write(v, -512, fill(512, 1))).toThrow(RangeError);
  });

  test('a snapshot view and a view marked read-only refuse writes; the live view takes them', () => {
    const d = new SimVirtualDisk('vm-1', spec());
    d.freeze('s1');
    expect(() => d.write(snap(d, 's1'), 0, fill(512, 1))).toThrow(ReadOnlyViewError);
    expect(() => d.write({ disk: d, snapshotId: 's1', readOnly: false }, 0, fill(512, 1))).toThrow(ReadOnlyViewError);
    expect(() => d.write({ disk: d, readOnly: true }, 0, fill(512, 1))).toThrow(/\[datastore1\] r\/r-000001\.vmdk is read-only/);
    d.write(live(d), 0, fill(512, 1));
    expect(d.read(live(d), 0, 512)).toEqual(fill(512, 1));
    expect(d.read(snap(d, 's1'), 0, 512)).toEqual(fill(512, 0));
  });

  test('a write keeps its own copy of the bytes: the caller may reuse its buffer', () => {
    const d = new SimVirtualDisk('vm-1', spec());
    const b = fill(4096, 7);
    d.write(live(d), 8192, b);
    b.fill(9);
    expect(d.read(live(d), 8192, 4096)).toEqual(fill(4096, 7));
  });

  test('written zeros are allocated (what "*" reports) but not part of the content checksum', () => {
    const d = new SimVirtualDisk('vm-1', spec(), true);
    const empty = d.checksum();
    d.write(live(d), MiB, fill(4096, 0));
    expect(d.allocatedExtents()).toEqual([{ start: MiB, length: 4096 }]);
    expect(d.checksum()).toBe(empty);
    d.freeze('s1');
    expect(changed(d, 's1', '*')).toEqual([{ start: MiB, length: 4096 }]);
  });

  test('unknown snapshots are errors that name the disk and the snapshot', () => {
    const d = new SimVirtualDisk('vm-1', spec(), true);
    expect(() => d.read(snap(d, 'nope'), 0, 512)).toThrow('disk [datastore1] r/r.vmdk has no snapshot nope');
    expect(() => d.queryChangedAreas('nope', 0, '*')).toThrow('has no snapshot nope');
    expect(() => d.revert('nope')).toThrow('has no snapshot nope');
    expect(() => d.fileNameOf(snap(d, 'nope'))).toThrow('has no snapshot nope');
  });
});

describe('checksum', () => {
  test('is SHA-256 over each non-zero run: start and length as LE64, then its bytes', () => {
    const d = new SimVirtualDisk('vm-1', spec({ capacityBytes: 8 * MiB }));
    const big = Buffer.alloc(MiB + 512);
    for (let i = 0; i < big.length; i++) big[i] = (i * 7 + (i >> 10)) & 0xff;
    big[0] = 1;
    d.write(live(d), 4096, big);
    d.write(live(d), 3 * MiB, fill(512, 0xab));
    d.write(live(d), 3 * MiB + 512, fill(512, 0xcd));
    d.write(live(d), 3 * MiB + 1024, fill(512, 0));
    d.write(live(d), 5 * MiB, fill(4096, 0));
    const header = (start: number, length: number) => {
      const h = Buffer.alloc(16);
      h.writeBigUInt64LE(BigInt(start), 0);
      h.writeBigUInt64LE(BigInt(length), 8);
      return h;
    };
    const want = createHash('sha256')
      .update(header(4096, MiB + 512)).update(big)
      .update(header(3 * MiB, 1024)).update(fill(512, 0xab)).update(fill(512, 0xcd))
      .digest('hex');
    expect(d.checksum()).toBe(want);
    expect(d.checksum(live(d))).toBe(want);
    expect(new SimVirtualDisk('vm-2', spec()).checksum()).toBe(createHash('sha256').digest('hex'));
  });

  test('of a snapshot view is the frozen content; allocatedExtents of a view likewise', () => {
    const d = new SimVirtualDisk('vm-1', spec());
    d.write(live(d), 0, fill(512, 1));
    d.freeze('s1');
    const frozen = d.checksum(snap(d, 's1'));
    d.write(live(d), 512, fill(512, 2));
    expect(d.checksum(snap(d, 's1'))).toBe(frozen);
    expect(d.checksum()).not.toBe(frozen);
    expect(d.allocatedExtents(snap(d, 's1'))).toEqual([{ start: 0, length: 512 }]);
    expect(d.allocatedExtents(live(d))).toEqual([{ start: 0, length: 1024 }]);
    expect(d.allocatedExtents()).toEqual([{ start: 0, length: 1024 }]);
  });
});

describe('snapshots and file names', () => {
  test('deltaFileName numbers the running delta with six digits, adding .vmdk where missing', () => {
    expect(deltaFileName('[ds] a/b.vmdk', 3)).toBe('[ds] a/b-000003.vmdk');
    expect(deltaFileName('[ds] a/b', 12)).toBe('[ds] a/b-000012.vmdk');
    expect(deltaFileName('[ds] a.vmdk/b.vmdk', 1234567)).toBe('[ds] a.vmdk/b-1234567.vmdk');
  });

  test('freezing twice under one id fails; the files are listed by snapshot; releasing one of two keeps the delta', () => {
    const d = new SimVirtualDisk('vm-1', spec());
    expect(d.freeze('s1')).toEqual({ fileName: '[datastore1] r/r.vmdk', changeId: undefined });
    expect(() => d.freeze('s1')).toThrow('snapshot s1 already frozen on [datastore1] r/r.vmdk');
    d.freeze('s2');
    expect(d.snapshotFiles()).toEqual([
      { snapshotId: 's1', fileName: '[datastore1] r/r.vmdk' },
      { snapshotId: 's2', fileName: '[datastore1] r/r-000001.vmdk' },
    ]);
    expect(d.fileNameOf(snap(d, 's2'))).toBe('[datastore1] r/r-000001.vmdk');
    expect(d.fileNameOf(live(d))).toBe('[datastore1] r/r-000002.vmdk');
    d.release('s1');
    expect(d.currentFileName).toBe('[datastore1] r/r-000002.vmdk');
    expect(d.snapshotFiles()).toEqual([{ snapshotId: 's2', fileName: '[datastore1] r/r-000001.vmdk' }]);
    d.release('s2');
    expect(d.currentFileName).toBe('[datastore1] r/r.vmdk');
    expect(d.snapshotFiles()).toEqual([]);
  });
});

describe('change tracking', () => {
  test('off: no changeId, queries fail; turning it on starts a new epoch at /0; on again keeps it', () => {
    const d = new SimVirtualDisk('vm-1', spec());
    expect(d.changeTrackingEnabled).toBe(false);
    expect(d.currentChangeId).toBeUndefined();
    d.resetCbt();
    expect(d.changeTrackingEnabled).toBe(false);
    d.freeze('s0');
    d.changeTrackingEnabled = true;
    expect(d.changeTrackingEnabled).toBe(true);
    // A snapshot frozen before CBT was on has no changeId: vSphere answers FileFault.
    expect(() => d.queryChangedAreas('s0', 0, '*')).toThrow(CbtError);
    const id0 = d.currentChangeId!;
    expect(id0).toMatch(/\/0$/);
    const s1 = d.freeze('s1').changeId!;
    expect(s1).toBe(id0.replace(/\/0$/, '/1'));
    d.setChangeTracking(true);
    expect(d.currentChangeId).toBe(s1);
    d.write(live(d), 0, fill(512, 1));
    d.freeze('s2');
    expect(changed(d, 's2', s1)).toEqual([{ start: 0, length: 512 }]);
    d.setChangeTracking(false);
    expect(d.currentChangeId).toBeUndefined();
    expect(() => d.queryChangedAreas('s2', 0, s1)).toThrow(CbtError);
    // On again: a new epoch, so the old changeIds are unknown.
    d.setChangeTracking(true);
    expect(d.currentChangeId).toMatch(/\/0$/);
    expect(d.currentChangeId!.split('/')[0]).not.toBe(s1.split('/')[0]);
    d.freeze('s3');
    expect(() => d.queryChangedAreas('s3', 0, s1)).toThrow(CbtError);
  });

  test('changeIds are "<epoch UUID>/<point>": the UUID is SHA-256 of "<seed>:cbt:<instance>:<epoch number>", first byte 0x52', () => {
    // SHA-256("rules:cbt::1") = f6 4d ad 33 7d d3 d0 90 80 6b e6 39 8e 6b 7a b5 ...
    const epoch1 = '52 4d ad 33 7d d3 d0 90-80 6b e6 39 8e 6b 7a b5';
    // SHA-256("rules:cbt::2") = b6 c3 a3 a4 0a 5d 48 bf 34 90 c4 c2 56 60 62 4d ... (0a keeps its leading zero)
    const epoch2 = '52 c3 a3 a4 0a 5d 48 bf-34 90 c4 c2 56 60 62 4d';
    // SHA-256("rules:cbt:run-2:1") = 97 74 fa 3d c1 7d 0b 39 38 50 19 0a 79 b3 cd 4f ...
    const run2 = '52 74 fa 3d c1 7d 0b 39-38 50 19 0a 79 b3 cd 4f';
    const d = new SimVirtualDisk('vm-1', spec(), true);
    expect(d.currentChangeId).toBe(`${epoch1}/0`);
    expect(d.freeze('s1').changeId).toBe(`${epoch1}/1`);
    d.resetCbt();
    expect(d.currentChangeId).toBe(`${epoch2}/0`);
    const e = new SimVirtualDisk('vm-1', spec());
    e.setChangeTracking(true);
    expect(e.currentChangeId).toBe(`${epoch1}/0`);
    e.setChangeTracking(false);
    e.changeTrackingEnabled = true;
    expect(e.currentChangeId).toBe(`${epoch2}/0`);
    expect(new SimVirtualDisk('vm-1', spec(), true, 'run-2').currentChangeId).toBe(`${run2}/0`);
    // Stores and logs made without an instance use the empty one.
    expect(new SimDiskStore().create('vm-1', spec(), { changeTracking: true }).currentChangeId).toBe(`${epoch1}/0`);
    expect(new ChangeLog('rules', 2).current).toBe(`${epoch2}/0`);
  });

  test('malformed changeIds of the right epoch are not valid', () => {
    const d = new SimVirtualDisk('vm-1', spec(), true);
    d.freeze('s1');
    d.write(live(d), 0, fill(512, 1));
    const s2 = d.freeze('s2').changeId!;
    const epoch = s2.slice(0, s2.lastIndexOf('/'));
    expect(changed(d, 's2', `${epoch}/1`)).toEqual([{ start: 0, length: 512 }]);
    for (const bad of [`${epoch}/`, `${epoch}/+1`, `${epoch}/-1`, `${epoch}/ 1`, `${epoch}/1 `, `${epoch}/1e0`, `${epoch}/0x1`, `${epoch}/1.0`, epoch, '']) {
      expect(() => d.queryChangedAreas('s2', 0, bad), JSON.stringify(bad)).toThrow(CbtError);
    }
  });

  test('a disk without CBT answers FileFault naming its file', () => {
    const d = new SimVirtualDisk('vm-1', spec());
    d.freeze('s1');
    expect(() => d.queryChangedAreas('s1', 0, '*')).toThrow('Change tracking is not enabled for [datastore1] r/r.vmdk');
  });

  test('a snapshot from before a CBT reset cannot be asked about, even with a changeId of the new epoch', () => {
    const d = new SimVirtualDisk('vm-1', spec(), true);
    d.write(live(d), 0, fill(512, 1));
    d.freeze('old');
    d.write(live(d), 4096, fill(512, 1));
    d.resetCbt();
    const fresh = d.currentChangeId!;
    expect(fresh).toMatch(/\/0$/);
    expect(() => d.queryChangedAreas('old', 0, fresh)).toThrow(CbtError);
  });

  test('a changeId newer than the snapshot is not valid for it', () => {
    const d = new SimVirtualDisk('vm-1', spec(), true);
    d.freeze('s1');
    d.write(live(d), 0, fill(512, 1));
    const s2 = d.freeze('s2').changeId!;
    expect(() => d.queryChangedAreas('s1', 0, s2)).toThrow(/changeId .* is not valid/);
    expect(changed(d, 's2', s2)).toEqual([]);
  });

  test('startOffset must be a whole offset inside the disk', () => {
    const d = new SimVirtualDisk('vm-1', spec(), true);
    d.write(live(d), 0, fill(512, 1));
    d.freeze('s1');
    for (const off of [-1, 4 * MiB, 4 * MiB + 512, 0.5, Number.NaN]) {
      expect(() => d.queryChangedAreas('s1', off, '*'), String(off)).toThrow(RangeError);
    }
    expect(() => d.queryChangedAreas('s1', 4 * MiB, '*')).toThrow('startOffset 4194304 is outside the disk (capacity 4194304)');
    expect(d.queryChangedAreas('s1', 4 * MiB - 512, '*')).toEqual({ startOffset: 4 * MiB - 512, length: 512, changedArea: [] });
  });

  test('a page from inside an area starts the area there; an area ending at startOffset is not reported', () => {
    const d = new SimVirtualDisk('vm-1', spec(), true);
    d.write(live(d), 4096, fill(8192, 1));
    d.write(live(d), MiB, fill(512, 1));
    d.freeze('s1');
    expect(d.queryChangedAreas('s1', 8192, '*')).toEqual({
      startOffset: 8192, length: 4 * MiB - 8192,
      changedArea: [{ start: 8192, length: 4096 }, { start: MiB, length: 512 }],
    });
    expect(d.queryChangedAreas('s1', 12288, '*')).toEqual({ startOffset: 12288, length: 4 * MiB - 12288, changedArea: [{ start: MiB, length: 512 }] });
  });

  test('an area across the 16 GiB page span is split between two pages', () => {
    const d = new SimVirtualDisk('vm-1', spec({ capacityBytes: 40 * GiB }), true);
    d.write(live(d), 16 * GiB - 4096, fill(8192, 1));
    d.write(live(d), 33 * GiB, fill(512, 1));
    d.freeze('s1');
    expect(d.queryChangedAreas('s1', 0, '*')).toEqual({ startOffset: 0, length: 16 * GiB, changedArea: [{ start: 16 * GiB - 4096, length: 4096 }] });
    expect(d.queryChangedAreas('s1', 16 * GiB, '*')).toEqual({ startOffset: 16 * GiB, length: 16 * GiB, changedArea: [{ start: 16 * GiB, length: 4096 }] });
    expect(d.queryChangedAreas('s1', 32 * GiB, '*')).toEqual({ startOffset: 32 * GiB, length: 8 * GiB, changedArea: [{ start: 33 * GiB, length: 512 }] });
  });

  test('revert to a snapshot counts every run changed since it, up to the newest point, as changed again', () => {
    const d = new SimVirtualDisk('vm-1', spec(), true);
    d.freeze('s1');
    d.write(live(d), 0, fill(512, 1));
    d.freeze('s2');
    d.write(live(d), MiB, fill(512, 2));
    const s3 = d.freeze('s3').changeId!;
    d.write(live(d), 2 * MiB, fill(512, 3));
    d.revert('s1');
    expect(d.read(live(d), 0, 512)).toEqual(fill(512, 0));
    d.freeze('s4');
    // s4 holds s1's content (nothing written): against s3 it differs at 0, 1 MiB and 2 MiB.
    expect(changed(d, 's4', s3)).toEqual([{ start: 0, length: 512 }, { start: MiB, length: 512 }, { start: 2 * MiB, length: 512 }]);
    expect(d.allocatedExtents()).toEqual([]);
  });

  test('revert to a snapshot from before a CBT reset counts the whole live allocation as changed', () => {
    const d = new SimVirtualDisk('vm-1', spec(), true);
    d.freeze('s1');
    d.write(live(d), 0, fill(512, 1));
    d.resetCbt();
    d.write(live(d), MiB, fill(512, 2));
    const s2 = d.freeze('s2').changeId!;
    d.revert('s1');
    d.freeze('s3');
    // s3 holds s1's content (nothing): against s2 it differs at 0 and 1 MiB, though the new epoch never saw the first write.
    expect(changed(d, 's3', s2)).toEqual([{ start: 0, length: 512 }, { start: MiB, length: 512 }]);
  });

  test('revert to a snapshot frozen before CBT was on counts the whole live allocation as changed', () => {
    const d = new SimVirtualDisk('vm-1', spec());
    d.write(live(d), 0, fill(512, 1));
    d.freeze('s0');
    d.setChangeTracking(true);
    d.write(live(d), MiB, fill(4096, 2));
    const s1 = d.freeze('s1').changeId!;
    d.revert('s0');
    d.freeze('s2');
    expect(changed(d, 's2', s1)).toEqual([{ start: 0, length: 512 }, { start: MiB, length: 4096 }]);
    // A snapshot frozen with CBT, reverted to after CBT was turned off: the content comes back.
    const f = new SimVirtualDisk('vm-3', spec(), true);
    f.freeze('a');
    f.write(live(f), 0, fill(512, 1));
    f.setChangeTracking(false);
    f.revert('a');
    expect(f.allocatedExtents()).toEqual([]);
    // Without CBT a revert records nothing and still restores the content.
    const e = new SimVirtualDisk('vm-2', spec());
    e.freeze('a');
    e.write(live(e), 0, fill(512, 1));
    e.revert('a');
    expect(e.changeTrackingEnabled).toBe(false);
    expect(e.allocatedExtents()).toEqual([]);
  });
});

describe('guest writes', () => {
  test('a negative percent writes the 4 KiB minimum per run; the runs are reported and change the content', () => {
    const d = new SimVirtualDisk('vm-1', spec({ allocatedBytes: MiB }), true);
    const s1 = d.freeze('s1').changeId!;
    const w = d.guestWrite({ percent: -10, extents: 2 });
    expect(w.extents.map((x) => x.length)).toEqual([4096, 4096]);
    expect(w.bytes).toBe(8192);
    d.freeze('s2');
    expect(changed(d, 's2', s1)).toEqual(w.extents);
  });

  test('without a seed each write lands elsewhere, the same on every disk of the same seed', () => {
    const mk = (seed: string) => new SimVirtualDisk('vm-1', spec({ capacityBytes: GiB, allocatedBytes: 64 * MiB, seed }));
    const a = mk('one');
    const b = mk('one');
    const c = mk('two');
    const a1 = a.guestWrite({ percent: 10, extents: 4 });
    const a2 = a.guestWrite({ percent: 10, extents: 4 });
    expect(a2.extents).not.toEqual(a1.extents);
    expect(b.guestWrite({ percent: 10, extents: 4 })).toEqual(a1);
    expect(c.guestWrite({ percent: 10, extents: 4 }).extents).not.toEqual(a1.extents);
    // 10 % of 64 MiB in 4 runs: 1.6 MiB each, aligned down to 4 KiB.
    expect(a1.extents.map((x) => x.length)).toEqual(Array(4).fill(1_675_264));
    // The written runs hold new bytes, the same for the same write seed.
    const x = a1.extents[0]!;
    expect(a.read(live(a), x.start, 4096).equals(fill(4096, 0))).toBe(false);
  });

  test('the content of a seeded write depends on the write seed, not on the disk seed', () => {
    const a = new SimVirtualDisk('vm-1', spec({ seed: 'one' }));
    const b = new SimVirtualDisk('vm-1', spec({ seed: 'two' }));
    const wa = a.guestWrite({ percent: 0, extents: 1, seed: 'w' });
    const wb = b.guestWrite({ percent: 0, extents: 1, seed: 'w' });
    expect(wa).toEqual(wb);
    const x = wa.extents[0]!;
    expect(a.read(live(a), x.start, x.length)).toEqual(b.read(live(b), x.start, x.length));
  });
  test('the default write seed is "<disk seed>:write:<n>" for the n-th write; the bytes come from the write seed', () => {
    const mk = () => new SimVirtualDisk('vm-1', spec({ capacityBytes: 256 * MiB, allocatedBytes: 16 * MiB, seed: 'one' }));
    const a = mk();
    const b = mk();
    const a1 = a.guestWrite({ percent: 10, extents: 4 });
    expect(b.guestWrite({ percent: 10, extents: 4, seed: 'one:write:1' })).toEqual(a1);
    expect(a.checksum()).toBe(b.checksum());
    expect(a.guestWrite({ percent: 1, extents: 2 })).toEqual(b.guestWrite({ percent: 1, extents: 2, seed: 'one:write:2' }));
    expect(a.checksum()).toBe(b.checksum());
    // A run as long as the disk: both writes cover the same bytes, with different content per write seed.
    const c = new SimVirtualDisk('vm-1', spec({ allocatedBytes: 4 * MiB }));
    const e = new SimVirtualDisk('vm-1', spec({ allocatedBytes: 4 * MiB }));
    expect(c.guestWrite({ percent: 100, extents: 1, seed: 'x' }).extents).toEqual([{ start: 0, length: 4 * MiB }]);
    e.guestWrite({ percent: 100, extents: 1, seed: 'y' });
    expect(c.read(live(c), 0, 4096).equals(e.read(live(e), 0, 4096))).toBe(false);
  });
});

describe('the change counter, copies and growth', () => {
  test('every change to a disk moves diskGeneration (vCenter keys its cached results on it)', () => {
    const d = new SimVirtualDisk('vm-1', spec());
    const other = new SimVirtualDisk('vm-2', spec());
    const steps: [string, () => void][] = [
      ['setChangeTracking', () => d.setChangeTracking(true)],
      ['write', () => d.write(live(d), 0, fill(512, 1))],
      ['guestWrite', () => d.guestWrite({ percent: 1, extents: 1 })],
      ['freeze', () => d.freeze('s1')],
      ['resetCbt', () => d.resetCbt()],
      ['revert', () => d.revert('s1')],
      ['release', () => d.release('s1')],
      ['grow', () => d.grow(8 * MiB)],
      ['copyFrom', () => d.copyFrom(live(other))],
    ];
    for (const [name, step] of steps) {
      const before = diskGeneration();
      step();
      expect(diskGeneration(), name).toBeGreaterThan(before);
    }
    const before = diskGeneration();
    d.read(live(d), 0, 512);
    d.checksum();
    expect(diskGeneration()).toBe(before);
  });

  test('copyFrom takes a view\'s content (a snapshot\'s, not the live one), as an independent copy', () => {
    const src = new SimVirtualDisk('vm-1', spec({ allocatedBytes: MiB }));
    src.write(live(src), 2 * MiB, fill(512, 1));
    src.freeze('s1');
    const frozen = src.checksum(snap(src, 's1'));
    src.write(live(src), 3 * MiB, fill(512, 2));
    const dst = new SimVirtualDisk('vm-2', spec({ seed: 'other', capacityBytes: 8 * MiB }), true);
    dst.copyFrom(snap(src, 's1'));
    expect(dst.checksum()).toBe(frozen);
    expect(dst.read(live(dst), 2 * MiB, 512)).toEqual(fill(512, 1));
    dst.write(live(dst), 2 * MiB, fill(512, 9));
    expect(src.read(snap(src, 's1'), 2 * MiB, 512)).toEqual(fill(512, 1));
    expect(src.read(live(src), 2 * MiB, 512)).toEqual(fill(512, 1));
    // Same capacity is fine; a larger source does not fit.
    new SimVirtualDisk('vm-3', spec()).copyFrom(live(src));
    expect(() => new SimVirtualDisk('vm-4', spec({ capacityBytes: 2 * MiB })).copyFrom(live(src))).toThrow('cannot copy 4194304 bytes into [datastore1] r/r.vmdk (capacity 2097152)');
  });

  test('grow only grows, by whole bytes; the new end can be read and written', () => {
    const d = new SimVirtualDisk('vm-1', spec());
    expect(() => d.grow(4 * MiB - 1)).toThrow('[datastore1] r/r.vmdk cannot shrink from 4194304 to 4194303');
    expect(() => d.grow(4.5 * MiB + 0.5)).toThrow(RangeError);
    expect(() => d.grow(2 ** 53)).toThrow(RangeError);
    d.grow(4 * MiB);
    expect(d.capacityBytes).toBe(4 * MiB);
    d.grow(6 * MiB);
    expect(d.capacityBytes).toBe(6 * MiB);
    d.write(live(d), 6 * MiB - 512, fill(512, 3));
    expect(d.read(live(d), 6 * MiB - 512, 512)).toEqual(fill(512, 3));
    expect(() => d.read(live(d), 6 * MiB - 511, 512)).toThrow(RangeError);
  });
});
