import { seededRandom } from '../core/seeded.ts';
import type { Extent } from './contract.ts';

export const SECTOR = 512;
const LAYOUT_ALIGN = 64 * 1024;
const WRITE_ALIGN = 4096;

const alignDown = (n: number, a: number) => Math.floor(n / a) * a;

/**
 * Where a new disk's allocated bytes sit: a boot region at 0 plus runs spread over the capacity,
 * like a file system that has grown for a while. Deterministic from the seed.
 */
export function initialLayout(seed: string, capacity: number, allocated: number): Extent[] {
  const total = Math.min(alignDown(allocated, LAYOUT_ALIGN), alignDown(capacity, LAYOUT_ALIGN));
  if (total <= 0) return [];
  const count = Math.max(1, Math.min(64, Math.floor(total / (4 * 1024 * 1024))));
  const per = alignDown(total / count, LAYOUT_ALIGN);
  const slot = alignDown(capacity / count, LAYOUT_ALIGN);
  // Each run stays inside its slot (the last slot ends at the capacity). The last run takes the
  // remainder; what its slot cannot hold spills, unit by unit, into the slots before it, so every
  // allocated unit is laid out even when the allocation nearly fills the capacity.
  const slotSize = (i: number) => (i === count - 1 ? alignDown(capacity, LAYOUT_ALIGN) - i * slot : slot);
  const lengths = Array.from({ length: count }, (_, i) => (i === count - 1 ? total - per * (count - 1) : per));
  let spill = 0;
  for (let i = count - 1; i >= 0; i--) {
    const fits = Math.min(lengths[i]! + spill, slotSize(i));
    spill = lengths[i]! + spill - fits;
    lengths[i] = fits;
  }
  // A run moves within `slot` (the last run too, however much larger its slot): the draws of layouts
  // the spill does not touch stay what they were.
  const rnd = seededRandom(`${seed}:layout`);
  return lengths.map((length, i) => ({ start: i === 0 ? 0 : i * slot + alignDown(rnd() * Math.max(0, slot - length), LAYOUT_ALIGN), length }));
}

/**
 * A guest write of `bytes` in exactly `extents` runs: the capacity is cut into equal slots and
 * each run lands somewhere in its own slot, so runs never overlap and the count is exact.
 */
export function guestWriteLayout(seed: string, capacity: number, bytes: number, extents: number): Extent[] {
  const n = Math.max(1, Math.floor(extents));
  const slot = alignDown(capacity / n, WRITE_ALIGN);
  const per = Math.min(slot, Math.max(WRITE_ALIGN, alignDown(bytes / n, WRITE_ALIGN)));
  const rnd = seededRandom(`${seed}:guest-write`);
  return Array.from({ length: n }, (_, i) => ({
    start: i * slot + alignDown(rnd() * (slot - per), WRITE_ALIGN),
    length: per,
  }));
}
