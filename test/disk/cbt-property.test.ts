import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { SimVirtualDisk } from '../../simulators/disk/virtual-disk.ts';
import { CbtError, type Extent } from '../../simulators/disk/contract.ts';
import type { DiskSpec } from '../../simulators/inventory/types.ts';
import { CbtInvalid, NaiveDisk, SECTOR, clipFrom, type RefExtent } from '../reference/naive-disk.ts';
import { propertyParams } from '../reference/property-runs.ts';

/*
 * The disk model (segments, ExtentSet, ChangeLog, paging) against the naive reference disk, driven by
 * random programs: writes (overlapping, nested, zero-filled), stripes of single sectors (more runs
 * than one QueryChangedDiskAreas page holds), snapshots, snapshot removal, CBT resets, paged queries
 * from random start offsets, and reads of the live disk and of every snapshot.
 */
const SECTORS = 4096;
const CAPACITY = SECTORS * SECTOR;

type Op =
  | { t: 'write'; sector: number; count: number; fill: number }
  | { t: 'stripe'; sector: number; count: number; fill: number }
  | { t: 'snap' }
  | { t: 'remove'; pick: number }
  | { t: 'reset' }
  | { t: 'query'; target: number; from: number | '*'; startSector: number }
  | { t: 'read'; target: number | 'live' };

const sector = fc.integer({ min: 0, max: SECTORS - 1 });
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ t: fc.constant('write' as const), sector, count: fc.integer({ min: 1, max: 512 }), fill: fc.integer({ min: 0, max: 255 }) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('stripe' as const), sector: fc.integer({ min: 0, max: 64 }), count: fc.integer({ min: 1, max: SECTORS }), fill: fc.integer({ min: 1, max: 255 }) }) },
  { weight: 3, arbitrary: fc.constant({ t: 'snap' as const }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('remove' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.constant({ t: 'reset' as const }) },
  { weight: 4, arbitrary: fc.record({ t: fc.constant('query' as const), target: fc.nat(), from: fc.oneof(fc.nat(), fc.constant('*' as const)), startSector: fc.oneof(fc.constant(0), sector) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('read' as const), target: fc.oneof(fc.nat(), fc.constant('live' as const)) }) },
);

const PATTERN = Buffer.alloc(CAPACITY + 256 * 61);
for (let i = 0; i < PATTERN.length; i++) PATTERN[i] = (i * 31 + (i >> 9) + (i >> 13)) & 0xff;

/** fill 0 writes zeros (a zero run in the product, still allocated and still a change); others a pattern. */
function data(count: number, fill: number): Buffer {
  return fill ? Buffer.from(PATTERN.subarray(fill * 61, fill * 61 + count * SECTOR)) : Buffer.alloc(count * SECTOR);
}

function merged(xs: Extent[]): RefExtent[] {
  const out: RefExtent[] = [];
  for (const x of xs) {
    const last = out.at(-1);
    if (last && last.start + last.length === x.start) last.length += x.length;
    else out.push({ start: x.start, length: x.length });
  }
  return out;
}

/** Pages through QueryChangedDiskAreas like a backup application, checking each page's shape. */
function queryAll(d: SimVirtualDisk, snap: string, changeId: string, startOffset: number): Extent[] {
  const out: Extent[] = [];
  for (let off = startOffset; off < d.capacityBytes; ) {
    const p = d.queryChangedAreas(snap, off, changeId);
    const bad = (why: string) => new Error(`page at ${off} of ${snap} since ${changeId}: ${why} (${JSON.stringify({ ...p, changedArea: p.changedArea.length })})`);
    if (p.startOffset !== off || !(p.length > 0) || p.changedArea.length > 1024) throw bad('bad page header');
    let prev = off;
    for (const a of p.changedArea) {
      if (a.start < prev || !(a.length > 0) || a.start + a.length > off + p.length) throw bad(`area ${a.start}+${a.length} out of order or outside the page`);
      prev = a.start + a.length;
    }
    out.push(...p.changedArea);
    off = p.startOffset + p.length;
  }
  return out;
}

function runProgram(ops: Op[]): void {
  const spec: DiskSpec = {
    key: 2000, label: 'Hard disk 1', unitNumber: 0, capacityBytes: CAPACITY, allocatedBytes: 0,
    datastore: 'datastore1', fileName: '[datastore1] prop/prop.vmdk', seed: 'property', encrypted: false,
  };
  const disk = new SimVirtualDisk('vm-prop', spec, true);
  const ref = new NaiveDisk(CAPACITY);
  const changeIds = new Map<string, string>();
  const live = () => [...changeIds.keys()].filter((id) => !ref.snap(id).removed);
  let n = 0;
  for (const o of ops) {
    if (o.t === 'write') {
      const count = Math.min(o.count, SECTORS - o.sector);
      const b = data(count, o.fill);
      disk.write({ disk, readOnly: false }, o.sector * SECTOR, b);
      ref.write(o.sector * SECTOR, b);
    } else if (o.t === 'stripe') {
      const b = data(1, o.fill);
      for (let s = o.sector; s < Math.min(SECTORS, o.sector + o.count); s += 2) {
        disk.write({ disk, readOnly: false }, s * SECTOR, b);
        ref.write(s * SECTOR, b);
      }
    } else if (o.t === 'snap') {
      const id = `s${++n}`;
      changeIds.set(id, disk.freeze(id).changeId!);
      ref.snapshot(id);
    } else if (o.t === 'remove') {
      const ids = live();
      if (!ids.length) continue;
      const id = ids[o.pick % ids.length]!;
      disk.release(id);
      ref.remove(id);
    } else if (o.t === 'reset') {
      disk.resetCbt();
      ref.resetCbt();
    } else if (o.t === 'query') {
      const ids = live();
      if (!ids.length) continue;
      const target = ids[o.target % ids.length]!;
      const all = [...changeIds.keys()];
      const from = o.from === '*' ? '*' : all[o.from % all.length]!;
      const start = o.startSector * SECTOR;
      let want: RefExtent[] | 'invalid';
      try {
        want = clipFrom(from === '*' ? ref.allocated(target) : ref.changedBetween(from, target), start);
      } catch (e) {
        if (!(e instanceof CbtInvalid)) throw e;
        want = 'invalid';
      }
      const changeId = from === '*' ? '*' : changeIds.get(from)!;
      if (want === 'invalid') {
        expect(() => disk.queryChangedAreas(target, start, changeId), `query ${target} since ${from}`).toThrow(CbtError);
      } else {
        expect(merged(queryAll(disk, target, changeId, start)), `query ${target} since ${from} from ${start}`).toEqual(want);
      }
    } else {
      const ids = live();
      if (o.target === 'live' || !ids.length) {
        expect(disk.read({ disk, readOnly: false }, 0, CAPACITY).equals(ref.bytes), 'live content').toBe(true);
      } else {
        const id = ids[o.target % ids.length]!;
        expect(disk.read({ disk, snapshotId: id, readOnly: true }, 0, CAPACITY).equals(ref.snap(id).bytes), `content of ${id}`).toBe(true);
      }
    }
  }
  // Every program ends by checking the live disk and its newest snapshot byte for byte ('read' ops check the others).
  for (const id of live().slice(-1)) expect(disk.read({ disk, snapshotId: id, readOnly: true }, 0, CAPACITY).equals(ref.snap(id).bytes), `content of ${id}`).toBe(true);
  expect(disk.read({ disk, readOnly: false }, 0, CAPACITY).equals(ref.bytes), 'live content').toBe(true);
}

describe('disk model against the naive reference (property)', () => {
  test('random writes, snapshots, removals, CBT resets and paged queries agree', () => {
    fc.assert(fc.property(fc.array(op, { minLength: 1, maxLength: 40 }), (ops) => runProgram(ops)), propertyParams(150));
  });

  test('the reference itself: a nested write is one run, later writes are not changes of an earlier snapshot', () => {
    const r = new NaiveDisk(64 * SECTOR);
    r.snapshot('a');
    r.write(0, new Uint8Array(16 * SECTOR));
    r.write(4 * SECTOR, new Uint8Array(SECTOR));
    r.snapshot('b');
    r.write(32 * SECTOR, new Uint8Array(SECTOR));
    r.snapshot('c');
    expect(r.changedBetween('a', 'b')).toEqual([{ start: 0, length: 16 * SECTOR }]);
    expect(r.changedBetween('b', 'c')).toEqual([{ start: 32 * SECTOR, length: SECTOR }]);
    r.resetCbt();
    expect(() => r.changedBetween('a', 'c')).toThrow(CbtInvalid);
  });
});
