/**
 * A deliberately naive disk with CBT, the truth the product's disk model is judged against: one
 * byte array per state, one "written" flag per sector, and a flat list of every write with the
 * time and CBT epoch it happened in. No merging, no segments, no paging cleverness: every answer
 * is recomputed from the list, so it is slow and obviously right.
 */
export const SECTOR = 512;

export interface RefExtent {
  start: number;
  length: number;
}

interface RefWrite {
  time: number;
  epoch: number;
  startSector: number;
  sectors: number;
}

interface RefSnapshot {
  id: string;
  time: number;
  epoch: number;
  bytes: Uint8Array;
  written: Uint8Array;
  removed: boolean;
}

export class CbtInvalid extends Error {}

export class NaiveDisk {
  readonly bytes: Uint8Array;
  /** 1 where a sector was ever written in the live state (what "*" reports). */
  readonly written: Uint8Array;
  readonly writes: RefWrite[] = [];
  readonly snapshots: RefSnapshot[] = [];
  private time = 0;
  epoch = 0;

  constructor(readonly capacity: number) {
    this.bytes = new Uint8Array(capacity);
    this.written = new Uint8Array(capacity / SECTOR);
  }

  write(offset: number, data: Uint8Array): void {
    this.time++;
    this.bytes.set(data, offset);
    for (let s = offset / SECTOR; s < (offset + data.length) / SECTOR; s++) this.written[s] = 1;
    this.writes.push({ time: this.time, epoch: this.epoch, startSector: offset / SECTOR, sectors: data.length / SECTOR });
  }

  snapshot(id: string): RefSnapshot {
    this.time++;
    const s = { id, time: this.time, epoch: this.epoch, bytes: this.bytes.slice(), written: this.written.slice(), removed: false };
    this.snapshots.push(s);
    return s;
  }

  remove(id: string): void {
    this.snap(id).removed = true;
  }

  resetCbt(): void {
    this.epoch++;
  }

  snap(id: string): RefSnapshot {
    const s = this.snapshots.find((x) => x.id === id);
    if (!s) throw new Error(`no snapshot ${id}`);
    return s;
  }

  /** Every allocated sector of a snapshot, as runs. */
  allocated(id: string): RefExtent[] {
    return runs(this.snap(id).written);
  }

  /** Sectors written after snapshot `fromId` was taken and before snapshot `toId`, in one CBT epoch. */
  changedBetween(fromId: string, toId: string): RefExtent[] {
    const from = this.snap(fromId);
    const to = this.snap(toId);
    if (from.epoch !== this.epoch || to.epoch !== this.epoch || from.time > to.time) throw new CbtInvalid(`${fromId} -> ${toId}`);
    const mark = new Uint8Array(this.written.length);
    for (const w of this.writes) {
      if (w.time > from.time && w.time < to.time) for (let s = w.startSector; s < w.startSector + w.sectors; s++) mark[s] = 1;
    }
    return runs(mark);
  }
}

/** Runs of 1s in a per-sector flag array, as byte extents. */
export function runs(flags: Uint8Array): RefExtent[] {
  const out: RefExtent[] = [];
  for (let i = 0; i < flags.length; ) {
    if (!flags[i]) {
      i++;
      continue;
    }
    let j = i;
    while (j < flags.length && flags[j]) j++;
    out.push({ start: i * SECTOR, length: (j - i) * SECTOR });
    i = j;
  }
  return out;
}

/** The same runs seen from `startOffset` on (what paging from there must add up to). */
export function clipFrom(xs: RefExtent[], startOffset: number): RefExtent[] {
  return xs
    .filter((x) => x.start + x.length > startOffset)
    .map((x) => (x.start >= startOffset ? x : { start: startOffset, length: x.start + x.length - startOffset }));
}
