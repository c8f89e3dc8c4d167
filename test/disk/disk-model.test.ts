import { describe, test, expect } from 'vitest';
import { createHash } from 'node:crypto';
import { buildInventory } from '../../simulators/inventory/index.ts';
import { SimDiskStore, createDiskStore, CbtError, CBT_PAGE_MAX_AREAS, CBT_PAGE_SPAN, type ChangedAreas, type Extent, type VirtualDisk } from '../../simulators/disk/index.ts';
import type { DiskSpec } from '../../simulators/inventory/types.ts';

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

function spec(over: Partial<DiskSpec> = {}): DiskSpec {
  return {
    key: 2000, label: 'Hard disk 1', unitNumber: 0, capacityBytes: 8 * GiB, allocatedBytes: 16 * MiB,
    datastore: 'datastore1', fileName: '[datastore1] t1/t1.vmdk', seed: 'test:t1:disk0', encrypted: false, ...over,
  };
}

function allPages(disk: VirtualDisk, snap: string, changeId: string): ChangedAreas[] {
  const pages: ChangedAreas[] = [];
  for (let off = 0; off < disk.capacityBytes; ) {
    const p = disk.queryChangedAreas(snap, off, changeId);
    pages.push(p);
    expect(p.length).toBeGreaterThan(0);
    off = p.startOffset + p.length;
  }
  return pages;
}

const areasOf = (pages: ChangedAreas[]) => pages.flatMap((p) => p.changedArea);
const bytesOf = (xs: Extent[]) => xs.reduce((t, x) => t + x.length, 0);

describe('disk model', () => {
  test('the store holds every inventory disk, content is deterministic and per-seed', () => {
    const inv = buildInventory({ seed: 's1' }, () => '127.0.0.1');
    const a = createDiskStore(inv);
    const b = createDiskStore(buildInventory({ seed: 's1' }, () => '127.0.0.1'));
    const c = createDiskStore(buildInventory({ seed: 's2' }, () => '127.0.0.1'));
    const vm = inv.vms[0]!;
    expect(a.forVm(vm.moid)).toHaveLength(vm.disks.length);
    const da = a.get(vm.moid, 2000)!;
    expect(da.checksum()).toBe(b.get(vm.moid, 2000)!.checksum());
    expect(da.checksum()).not.toBe(c.get(vm.moid, 2000)!.checksum());
    expect(da.changeTrackingEnabled).toBe(vm.cbtEnabled);
    const cbtVm = inv.vms.find((v) => v.cbtEnabled)!;
    expect(a.get(cbtVm.moid, 2000)!.currentChangeId).toMatch(/\/0$/);
  });

  test('queries on a disk without CBT fail with CbtError (FileFault)', () => {
    const store = new SimDiskStore();
    const d = store.create('vm-1', spec());
    d.freeze('snap-1');
    expect(() => d.queryChangedAreas('snap-1', 0, '*')).toThrow(CbtError);
  });

  test('"*" returns the allocated runs; the bytes outside them read as zeros', () => {
    const d = new SimDiskStore().create('vm-1', spec(), { changeTracking: true });
    d.freeze('s1');
    const areas = areasOf(allPages(d, 's1', '*'));
    expect(bytesOf(areas)).toBe(16 * MiB);
    expect(areas.length).toBeGreaterThan(1);
    const view = { disk: d, snapshotId: 's1', readOnly: true };
    const first = areas[0]!;
    expect(d.read(view, first.start, 4096).equals(Buffer.alloc(4096))).toBe(false);
    const gap = areas[0]!.start + areas[0]!.length;
    expect(d.read(view, gap, 4096).equals(Buffer.alloc(4096))).toBe(true);
    // Reads at unaligned offsets agree with aligned ones (counter mode is position-derived).
    const whole = d.read(view, first.start, 8192);
    expect(d.read(view, first.start + 7, 100).equals(whole.subarray(7, 107))).toBe(true);
  });

  test('a multi-TiB disk costs memory only for what is allocated', () => {
    const before = process.memoryUsage().rss;
    const d = new SimDiskStore().create('vm-1', spec({ capacityBytes: 6 * 1024 * GiB, allocatedBytes: 64 * MiB }), { changeTracking: true });
    d.guestWrite({ percent: 50, extents: 500 });
    expect(process.memoryUsage().rss - before).toBeLessThan(64 * MiB);
    const far = d.capacityBytes - 4096;
    expect(d.read({ disk: d, readOnly: false }, far, 4096)).toHaveLength(4096);
  });

  test('snapshots freeze content; the running disk moves to a delta file like vSphere', () => {
    const store = new SimDiskStore();
    const d = store.create('vm-1', spec(), { changeTracking: true });
    expect(d.currentFileName).toBe('[datastore1] t1/t1.vmdk');
    const before = d.checksum();
    const f1 = d.freeze('snap-1');
    expect(f1.fileName).toBe('[datastore1] t1/t1.vmdk');
    expect(d.currentFileName).toBe('[datastore1] t1/t1-000001.vmdk');
    expect(f1.changeId).toMatch(/^52( [0-9a-f]{2}){7}-[0-9a-f]{2}( [0-9a-f]{2}){7}\/\d+$/);
    d.guestWrite({ percent: 10, extents: 8 });
    const snapView = store.byPath('[datastore1] t1/t1.vmdk')!;
    expect(snapView.snapshotId).toBe('snap-1');
    expect(snapView.readOnly).toBe(true);
    expect(d.checksum(snapView)).toBe(before);
    expect(d.checksum()).not.toBe(before);
    const liveView = store.byPath('[datastore1] t1/t1-000001.vmdk')!;
    expect(liveView.readOnly).toBe(false);
    expect(liveView.snapshotId).toBeUndefined();
    const f2 = d.freeze('snap-2');
    expect(f2.fileName).toBe('[datastore1] t1/t1-000001.vmdk');
    expect(d.currentFileName).toBe('[datastore1] t1/t1-000002.vmdk');
    d.release('snap-1');
    d.release('snap-2');
    expect(d.currentFileName).toBe('[datastore1] t1/t1.vmdk');
  });

  test('guest writes are deterministic, exact in count and size, and CBT reports exactly them', () => {
    const mk = () => new SimDiskStore().create('vm-1', spec(), { changeTracking: true });
    const d = mk();
    const s1 = d.freeze('s1');
    const w = d.guestWrite({ percent: 25, extents: 7, seed: 'w1' });
    expect(w.extents).toHaveLength(7);
    expect(w.bytes).toBe(bytesOf(w.extents));
    expect(w.bytes).toBeGreaterThan(0.24 * 16 * MiB);
    d.freeze('s2');
    const changed = areasOf(allPages(d, 's2', s1.changeId!));
    expect(changed).toEqual([...w.extents].sort((a, b) => a.start - b.start));
    // Same seed, same disk seed: same bytes.
    const e = mk();
    e.freeze('s1');
    e.guestWrite({ percent: 25, extents: 7, seed: 'w1' });
    e.freeze('s2');
    const v = (x: VirtualDisk) => ({ disk: x, snapshotId: 's2', readOnly: true });
    expect(e.checksum(v(e))).toBe(d.checksum(v(d)));
    // The changed bytes read from s2 differ from s1's.
    const x = changed[0]!;
    expect(d.read(v(d), x.start, x.length).equals(d.read({ disk: d, snapshotId: 's1', readOnly: true }, x.start, x.length))).toBe(false);
  });

  test('paging: answers stop at the area cap and continue from startOffset + length', () => {
    const d = new SimDiskStore().create('vm-1', spec(), { changeTracking: true });
    const s1 = d.freeze('s1');
    // Enough areas that a page starting past 0 is also cut at the cap: its length counts from its own startOffset.
    const w = d.guestWrite({ percent: 20, extents: 2 * CBT_PAGE_MAX_AREAS + 300 });
    d.freeze('s2');
    const pages = allPages(d, 's2', s1.changeId!);
    expect(pages.length).toBeGreaterThan(2);
    expect(pages[0]!.changedArea).toHaveLength(CBT_PAGE_MAX_AREAS);
    expect(pages[1]!.startOffset).toBeGreaterThan(0);
    expect(pages[1]!.changedArea).toHaveLength(CBT_PAGE_MAX_AREAS);
    expect(bytesOf(areasOf(pages))).toBe(w.bytes);
    for (const p of pages) for (const a of p.changedArea) {
      expect(a.start).toBeGreaterThanOrEqual(p.startOffset);
      expect(a.start + a.length).toBeLessThanOrEqual(p.startOffset + p.length);
    }
    // A disk larger than one page span needs several answers even for few areas.
    const big = new SimDiskStore().create('vm-2', spec({ capacityBytes: 3 * CBT_PAGE_SPAN, allocatedBytes: 64 * MiB }), { changeTracking: true });
    big.freeze('b');
    const bigPages = allPages(big, 'b', '*');
    expect(bigPages).toHaveLength(3);
    expect(bytesOf(areasOf(bigPages))).toBe(64 * MiB);
  });

  test('a CBT reset invalidates older changeIds; "*" still works', () => {
    const d = new SimDiskStore().create('vm-1', spec(), { changeTracking: true });
    const s1 = d.freeze('s1');
    d.release('s1');
    d.resetCbt();
    d.freeze('s2');
    expect(() => d.queryChangedAreas('s2', 0, s1.changeId!)).toThrow(CbtError);
    try {
      d.queryChangedAreas('s2', 0, s1.changeId!);
    } catch (e) {
      expect((e as CbtError).fault).toBe('FileFault');
      expect((e as CbtError).file).toBe('[datastore1] t1/t1.vmdk');
    }
    expect(d.queryChangedAreas('s2', 0, '*').changedArea.length).toBeGreaterThan(0);
    expect(() => d.queryChangedAreas('s2', 0, 'garbage')).toThrow(CbtError);
  });

  test('writes overlay the content, round-trip, and a restore compares byte for byte', () => {
    const store = new SimDiskStore();
    const src = store.create('vm-1', spec(), { changeTracking: true });
    src.freeze('b');
    const srcView = { disk: src, snapshotId: 'b', readOnly: true };
    const dst = store.create('vm-2', spec({ seed: 'other', fileName: '[datastore1] t2/t2.vmdk' }));
    const live = { disk: dst, readOnly: false };
    expect(dst.checksum()).not.toBe(src.checksum(srcView));
    // A restore writes the source's allocated runs, then zeros over runs only the target has.
    for (const x of areasOf(allPages(src, 'b', '*'))) {
      for (let off = 0; off < x.length; off += MiB) {
        const n = Math.min(MiB, x.length - off);
        dst.write(live, x.start + off, src.read(srcView, x.start + off, n));
      }
    }
    for (const x of dst.allocatedExtents()) {
      const want = src.read(srcView, x.start, x.length);
      if (!want.equals(dst.read(live, x.start, x.length))) dst.write(live, x.start, want);
    }
    expect(dst.checksum()).toBe(src.checksum(srcView));
    const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
    expect(sha(dst.read(live, 0, 4 * MiB))).toBe(sha(src.read(srcView, 0, 4 * MiB)));
    // One changed byte changes the checksum.
    dst.write(live, 4096, Buffer.from([0x42]));
    expect(dst.checksum()).not.toBe(src.checksum(srcView));
    // Snapshots are read-only; past-the-end is a RangeError.
    expect(() => src.write(srcView, 0, Buffer.alloc(512, 1))).toThrow(/read-only/);
    expect(() => dst.read(live, dst.capacityBytes - 512, 1024)).toThrow(RangeError);
  });

  test('revert brings the snapshot content back and counts as a change', () => {
    const d = new SimDiskStore().create('vm-1', spec(), { changeTracking: true });
    const s1 = d.freeze('s1');
    const before = d.checksum({ disk: d, snapshotId: 's1', readOnly: true });
    const w = d.guestWrite({ percent: 5, extents: 3 });
    d.revert('s1');
    expect(d.checksum()).toBe(before);
    d.freeze('s2');
    expect(bytesOf(areasOf(allPages(d, 's2', s1.changeId!)))).toBe(w.bytes);
  });
});
