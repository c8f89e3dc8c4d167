import type { Extent } from './contract.ts';

/** A set of byte ranges kept sorted and merged, so a change log costs memory per run, not per write. */
export class ExtentSet {
  /** Parallel arrays of half-open [start, end) runs, sorted, never touching. */
  private starts: number[] = [];
  private ends: number[] = [];

  get size(): number {
    return this.starts.length;
  }

  add(start: number, end: number): void {
    if (end <= start) return;
    const n = this.starts.length;
    // Appends dominate (restores and sequential writes), so try the end first.
    if (n === 0 || start > this.ends[n - 1]!) {
      this.starts.push(start);
      this.ends.push(end);
      return;
    }
    // First run whose end reaches start (touching runs merge).
    let lo = 0, hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.ends[mid]! < start) lo = mid + 1;
      else hi = mid;
    }
    let last = lo;
    while (last < n && this.starts[last]! <= end) last++;
    if (last === lo) {
      this.starts.splice(lo, 0, start);
      this.ends.splice(lo, 0, end);
      return;
    }
    const s = Math.min(start, this.starts[lo]!);
    const e = Math.max(end, this.ends[last - 1]!);
    this.starts.splice(lo, last - lo, s);
    this.ends.splice(lo, last - lo, e);
  }

  addAll(other: ExtentSet): void {
    for (const x of other.extents()) this.add(x.start, x.start + x.length);
  }

  extents(): Extent[] {
    return this.starts.map((s, i) => ({ start: s, length: this.ends[i]! - s }));
  }

  totalBytes(): number {
    let t = 0;
    for (let i = 0; i < this.starts.length; i++) t += this.ends[i]! - this.starts[i]!;
    return t;
  }

  static of(extents: Iterable<Extent>): ExtentSet {
    const set = new ExtentSet();
    for (const x of extents) set.add(x.start, x.start + x.length);
    return set;
  }
}
