import type { Extent } from './contract.ts';
import { keystreamInto, keystreamSlices, zeroSlices } from './content.ts';

/** Where a run of disk bytes comes from: a seeded keystream, bytes written over NFC, or written zeros. */
export type Source =
  | { kind: 'stream'; key: Buffer }
  | { kind: 'buf'; buf: Buffer; /** disk offset of buf[0] */ at: number }
  | { kind: 'zero' };

/** Immutable once created, so a frozen view can share segments with the live disk. */
export interface Segment {
  start: number;
  end: number;
  src: Source;
}

/**
 * The allocation map of one disk state: sorted, non-overlapping segments; gaps are unallocated
 * (read as zeros). Freezing is a shallow copy because writes replace segments, never mutate them.
 */
export class SegmentMap {
  constructor(private segs: Segment[] = []) {}

  clone(): SegmentMap {
    return new SegmentMap(this.segs.slice());
  }

  get count(): number {
    return this.segs.length;
  }

  /** Overwrites [start, end) with `src`. */
  put(start: number, end: number, src: Source): void {
    if (end <= start) return;
    const n = this.segs.length;
    if (n === 0 || start >= this.segs[n - 1]!.end) {
      this.segs.push({ start, end, src });
      return;
    }
    const first = this.firstEndingAfter(start);
    let last = first;
    while (last < n && this.segs[last]!.start < end) last++;
    const repl: Segment[] = [];
    const head = this.segs[first];
    if (head && head.start < start && first < last) repl.push({ start: head.start, end: start, src: head.src });
    repl.push({ start, end, src });
    const tail = this.segs[last - 1];
    if (tail && last > first && tail.end > end) repl.push({ start: end, end: tail.end, src: tail.src });
    this.segs.splice(first, last - first, ...repl);
  }

  /** Fills target[targetOffset .. +length] with the bytes at disk offset `offset` (zeros where unallocated). */
  readInto(offset: number, target: Buffer, targetOffset: number, length: number): void {
    this.walk(offset, length, (src, pos, n) => {
      const at = targetOffset + pos - offset;
      if (src) writeSource(src, pos, target, at, n);
      else target.fill(0, at, at + n);
    });
  }

  /**
   * The bytes at disk offset `offset` as a list of buffers, without copying: keystream output,
   * views of written data (segments are never mutated) and views of a shared zero buffer. Callers
   * must not write into them.
   */
  readSlices(offset: number, length: number): Buffer[] {
    const out: Buffer[] = [];
    this.walk(offset, length, (src, pos, n) => (src ? sourceSlices(src, pos, n, out) : zeroSlices(n, out)));
    return out;
  }

  /** Visits [offset, offset + length) in order as runs of one source; undefined for unallocated gaps. */
  private walk(offset: number, length: number, visit: (src: Source | undefined, pos: number, n: number) => void): void {
    const end = offset + length;
    let pos = offset;
    for (let i = this.firstEndingAfter(offset); i < this.segs.length && pos < end; i++) {
      const s = this.segs[i]!;
      if (s.start >= end) break;
      if (s.start > pos) {
        visit(undefined, pos, s.start - pos);
        pos = s.start;
      }
      const upto = Math.min(s.end, end);
      visit(s.src, pos, upto - pos);
      pos = upto;
    }
    if (pos < end) visit(undefined, pos, end - pos);
  }

  /** Allocated extents, adjacent segments merged. */
  allocated(): Extent[] {
    return mergeRuns(this.segs, () => true);
  }

  /** Extents holding data other than written zeros (what the content checksum covers). */
  nonZero(): Extent[] {
    return mergeRuns(this.segs, (s) => s.src.kind !== 'zero');
  }

  allocatedBytes(): number {
    let t = 0;
    for (const s of this.segs) t += s.end - s.start;
    return t;
  }

  private firstEndingAfter(offset: number): number {
    let lo = 0, hi = this.segs.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.segs[mid]!.end <= offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

function writeSource(src: Source, pos: number, target: Buffer, at: number, length: number): void {
  if (src.kind === 'stream') keystreamInto(src.key, pos, target, at, length);
  else if (src.kind === 'buf') src.buf.copy(target, at, pos - src.at, pos - src.at + length);
  else target.fill(0, at, at + length);
}

function sourceSlices(src: Source, pos: number, length: number, out: Buffer[]): void {
  if (src.kind === 'stream') keystreamSlices(src.key, pos, length, out);
  else if (src.kind === 'buf') out.push(src.buf.subarray(pos - src.at, pos - src.at + length));
  else zeroSlices(length, out);
}

function mergeRuns(segs: Segment[], keep: (s: Segment) => boolean): Extent[] {
  const out: Extent[] = [];
  for (const s of segs) {
    if (!keep(s)) continue;
    const prev = out[out.length - 1];
    if (prev && prev.start + prev.length === s.start) prev.length += s.end - s.start;
    else out.push({ start: s.start, length: s.end - s.start });
  }
  return out;
}
