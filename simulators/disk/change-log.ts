import { createHash } from 'node:crypto';
import { ExtentSet } from './extent-set.ts';
import type { Extent } from './contract.ts';

/**
 * CBT as vSphere exposes it: a change epoch (a UUID shown as "52 de c0 ... 2e") and a sequence
 * number; "<epoch>/<seq>" names a point in time. Points are made when a snapshot freezes the disk.
 * Writes are logged against the point they follow, so "changed since X" is the union of the runs
 * logged from X's point up to the snapshot's.
 */
export class ChangeLog {
  readonly epoch: string;
  private seq = 0;
  /** changes[s]: runs written after point s was made and before point s + 1. */
  private readonly changes = new Map<number, ExtentSet>();

  /**
   * `instance` names the life of the change log: a lab start that does not restore the log passes
   * a new one, so a changeId handed out before the restart names an epoch that no longer exists.
   */
  constructor(seed: string, readonly epochIndex: number, instance = '') {
    this.epoch = epochUuid(`${seed}:cbt:${instance}:${epochIndex}`);
  }

  get current(): string {
    return `${this.epoch}/${this.seq}`;
  }

  get currentSeq(): number {
    return this.seq;
  }

  /** A new point in time; returns its changeId. */
  point(): { changeId: string; seq: number } {
    this.seq += 1;
    return { changeId: this.current, seq: this.seq };
  }

  record(start: number, end: number): void {
    let set = this.changes.get(this.seq);
    if (!set) this.changes.set(this.seq, (set = new ExtentSet()));
    set.add(start, end);
  }

  /** Runs written between point `from` and point `to`. */
  between(from: number, to: number): Extent[] {
    const union = new ExtentSet();
    for (const [s, set] of this.changes) if (s >= from && s < to) union.addAll(set);
    return union.extents();
  }

  /** The sequence number of a changeId of this epoch, or undefined when it is not one of ours. */
  seqOf(changeId: string): number | undefined {
    const slash = changeId.lastIndexOf('/');
    if (slash < 0 || changeId.slice(0, slash) !== this.epoch) return undefined;
    const tail = changeId.slice(slash + 1);
    if (!/^\d+$/.test(tail)) return undefined;
    const n = Number(tail);
    return n <= this.seq ? n : undefined;
  }
}

/** vSphere's changeId epoch form: 16 bytes as "52 xx xx xx xx xx xx xx-xx xx xx xx xx xx xx xx". */
export function epochUuid(seed: string): string {
  const b = createHash('sha256').update(seed).digest().subarray(0, 16);
  b[0] = 0x52;
  const hex = [...b].map((x) => x.toString(16).padStart(2, '0'));
  return `${hex.slice(0, 8).join(' ')}-${hex.slice(8).join(' ')}`;
}
