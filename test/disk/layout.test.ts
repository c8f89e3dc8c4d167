import { describe, expect, test } from 'vitest';
import { guestWriteLayout, initialLayout } from '../../simulators/disk/layout.ts';
import type { Extent } from '../../simulators/disk/contract.ts';

/*
 * Where a new disk's bytes and a guest write's runs land, judged by numbers worked out by hand from
 * the documented rules (64 KiB-aligned layout runs, one per 4 MiB up to 64, one per equal slot;
 * 4 KiB-aligned guest writes, one per equal slot). Where the seeded draw has no room to move a run
 * (a run as long as its slot, or a room under one alignment unit) the whole answer is written out;
 * elsewhere the bounds and alignment every run must keep.
 */
const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;
const U = 64 * KiB;

const bytesOf = (xs: Extent[]) => xs.reduce((t, x) => t + x.length, 0);

describe('initialLayout', () => {
  test('16 MiB on 8 GiB: four 4 MiB runs, the boot run at 0, each other run inside its 2 GiB slot, spread by the seed', () => {
    const xs = initialLayout('disk-a', 8 * GiB, 16 * MiB);
    expect(xs.map((x) => x.length)).toEqual([4 * MiB, 4 * MiB, 4 * MiB, 4 * MiB]);
    expect(xs[0]!.start).toBe(0);
    xs.forEach((x, i) => {
      expect(x.start % U).toBe(0);
      expect(x.start).toBeGreaterThanOrEqual(i * 2 * GiB);
      expect(x.start + x.length).toBeLessThanOrEqual((i + 1) * 2 * GiB);
    });
    // The seeded draw moves the runs inside their slots: not every run sits at a slot edge.
    expect(xs.slice(1).some((x, j) => x.start !== (j + 1) * 2 * GiB)).toBe(true);
    expect(xs.slice(1).some((x, j) => x.start + x.length !== (j + 2) * 2 * GiB)).toBe(true);
  });

  test('the seed decides the spread: the same seed gives the same runs, another seed other runs', () => {
    expect(initialLayout('disk-a', 8 * GiB, 16 * MiB)).toEqual(initialLayout('disk-a', 8 * GiB, 16 * MiB));
    expect(initialLayout('disk-b', 8 * GiB, 16 * MiB)).not.toEqual(initialLayout('disk-a', 8 * GiB, 16 * MiB));
  });

  test('allocated bytes are cut to whole 64 KiB units; under one unit, or a disk under one unit, has no runs', () => {
    expect(bytesOf(initialLayout('disk-a', 8 * GiB, 16 * MiB + 1000))).toBe(16 * MiB);
    expect(initialLayout('disk-a', 8 * GiB, U - 1)).toEqual([]);
    expect(initialLayout('disk-a', 8 * GiB, 0)).toEqual([]);
    expect(initialLayout('disk-a', U - 512, GiB)).toEqual([]);
    expect(initialLayout('disk-a', 8 * GiB, U)).toEqual([{ start: 0, length: U }]);
  });

  test('less than 4 MiB is one run at 0; more allocated than the capacity fills the capacity', () => {
    expect(initialLayout('disk-a', 8 * GiB, MiB)).toEqual([{ start: 0, length: MiB }]);
    expect(initialLayout('disk-a', 8 * GiB, 4 * MiB - 1)).toEqual([{ start: 0, length: 4 * MiB - U }]);
    expect(initialLayout('disk-a', MiB + 100, GiB)).toEqual([{ start: 0, length: MiB }]);
  });

  test('at most 64 runs: 1 GiB on 1 TiB is 64 runs of 16 MiB, one per 16 GiB slot', () => {
    const xs = initialLayout('disk-a', 1024 * GiB, GiB);
    expect(xs).toHaveLength(64);
    expect(xs.every((x) => x.length === 16 * MiB)).toBe(true);
    xs.forEach((x, i) => {
      expect(x.start).toBeGreaterThanOrEqual(i * 16 * GiB);
      expect(x.start + x.length).toBeLessThanOrEqual((i + 1) * 16 * GiB);
    });
  });

  test('a full disk of 64 x 4 MiB: every run fills its slot exactly', () => {
    const xs = initialLayout('disk-a', 256 * MiB, 256 * MiB);
    expect(xs).toEqual(Array.from({ length: 64 }, (_, i) => ({ start: i * 4 * MiB, length: 4 * MiB })));
  });

  test('the last run takes the remainder: 161 units in 2 runs are 80 + 81 units', () => {
    // total 161 units (10 MiB + 64 KiB): 2 runs, per = floor(80.5) = 80 units, slot = 80 units, last = 81.
    expect(initialLayout('disk-a', 161 * U, 161 * U)).toEqual([
      { start: 0, length: 80 * U },
      { start: 80 * U, length: 81 * U },
    ]);
  });

  test('a last run longer than its slot spills into the slots before it: every allocated unit is laid out', () => {
    // capacity 4160 units, 4159 allocated: 64 runs of 64 units in 65-unit slots, the last run
    // 127 units long from 63 * 65 = 4095, where only 65 units fit. The 62 that do not fit go one
    // each to runs 62 down to 1, which fill their slots (no room left, so each starts at its slot).
    const xs = initialLayout('disk-a', 4160 * U, 4159 * U);
    const want = [{ start: 0, length: 64 * U }, ...Array.from({ length: 63 }, (_, i) => ({ start: (i + 1) * 65 * U, length: 65 * U }))];
    expect(xs).toEqual(want);
    expect(bytesOf(xs)).toBe(4159 * U);
  });

  test('a nearly full disk: 129 units allocated of 129 in two runs fill the disk', () => {
    // 2 runs, per = 64 units, slot = 64 units; the last slot holds 65, so the last run's 65 units fit.
    expect(initialLayout('disk-a', 129 * U, 129 * U)).toEqual([
      { start: 0, length: 64 * U },
      { start: 64 * U, length: 65 * U },
    ]);
    // A capacity of 130 units with 129 allocated: the same lengths, the last run may start one unit later.
    const xs = initialLayout('disk-a', 130 * U, 129 * U);
    expect(bytesOf(xs)).toBe(129 * U);
    expect(xs[1]!.start + xs[1]!.length).toBeLessThanOrEqual(130 * U);
  });

  // A naive check over many shapes: runs in order, inside the disk, never overlapping, and exactly the allocation (cut to units) laid out.
  test.each([
    [4160, 4159], [4160, 4160], [129, 129], [130, 129], [200, 199], [1000, 999], [64 * 65, 64 * 65 - 1], [100000, 99999], [100000, 4096], [161, 161],
  ])('capacity %i units, %i allocated: all laid out, in order, no overlap', (cap, alloc) => {
    const xs = initialLayout(`d${cap}`, cap * U, alloc * U);
    expect(bytesOf(xs)).toBe(Math.min(cap, alloc) * U);
    xs.forEach((x, i) => {
      expect(x.length).toBeGreaterThan(0);
      expect(x.start % U).toBe(0);
      if (i > 0) expect(x.start).toBeGreaterThanOrEqual(xs[i - 1]!.start + xs[i - 1]!.length);
    });
    expect(xs.at(-1)!.start + xs.at(-1)!.length).toBeLessThanOrEqual(cap * U);
  });
});

describe('guestWriteLayout', () => {
  test('a write as large as the disk fills every slot: 4 runs of 256 KiB on 1 MiB', () => {
    expect(guestWriteLayout('w', MiB, 10 * MiB, 4)).toEqual([
      { start: 0, length: 256 * KiB },
      { start: 256 * KiB, length: 256 * KiB },
      { start: 512 * KiB, length: 256 * KiB },
      { start: 768 * KiB, length: 256 * KiB },
    ]);
  });

  test('a fractional or zero extent count rounds down, to at least one run', () => {
    expect(guestWriteLayout('w', MiB, 10 * MiB, 2.9)).toEqual([
      { start: 0, length: 512 * KiB },
      { start: 512 * KiB, length: 512 * KiB },
    ]);
    expect(guestWriteLayout('w', MiB, 10 * MiB, 0)).toEqual([{ start: 0, length: MiB }]);
    expect(guestWriteLayout('w', MiB, 10 * MiB, -3)).toEqual([{ start: 0, length: MiB }]);
  });

  test('each run is the 4 KiB-aligned share of the bytes, at least 4 KiB, inside its own slot', () => {
    // 100 000 bytes in 3 runs: 33 333 each, aligned down to 32 KiB; slots of 1 GiB / 3 aligned down.
    const slot = Math.floor(GiB / 3 / 4096) * 4096;
    const xs = guestWriteLayout('w', GiB, 100_000, 3);
    expect(xs.map((x) => x.length)).toEqual([32 * KiB, 32 * KiB, 32 * KiB]);
    xs.forEach((x, i) => {
      expect(x.start % 4096).toBe(0);
      expect(x.start).toBeGreaterThanOrEqual(i * slot);
      expect(x.start + x.length).toBeLessThanOrEqual((i + 1) * slot);
    });
    expect(xs.some((x, i) => x.start !== i * slot)).toBe(true);
    expect(xs.some((x, i) => x.start + x.length !== (i + 1) * slot)).toBe(true);
    expect(guestWriteLayout('w', GiB, 0, 2).map((x) => x.length)).toEqual([4096, 4096]);
    expect(guestWriteLayout('w', GiB, 3 * 4096 - 1, 1).map((x) => x.length)).toEqual([2 * 4096]);
  });

  test('the seed decides where the runs land', () => {
    expect(guestWriteLayout('w1', GiB, MiB, 4)).toEqual(guestWriteLayout('w1', GiB, MiB, 4));
    expect(guestWriteLayout('w2', GiB, MiB, 4)).not.toEqual(guestWriteLayout('w1', GiB, MiB, 4));
  });
});
