import { createHash } from 'node:crypto';
import type { DiskSpec } from '../inventory/types.ts';
import { CbtError, type ChangedAreas, type DiskView, type Extent, type VirtualDisk } from './contract.ts';
import { SegmentMap, type Source } from './segments.ts';
import { ChangeLog } from './change-log.ts';
import { isAllZero, streamKey } from './content.ts';
import { guestWriteLayout, initialLayout } from './layout.ts';

/** One QueryChangedDiskAreas answer covers at most this span of the disk ... */
export const CBT_PAGE_SPAN = 16 * 1024 ** 3;
/** ... and at most this many areas; the caller pages on with startOffset = startOffset + length. */
export const CBT_PAGE_MAX_AREAS = 1024;

interface Frozen {
  map: SegmentMap;
  fileName: string;
  changeId: string | undefined;
  /** The change-log point made when it was frozen (in the epoch of `changeId`). */
  seq: number;
}

export class ReadOnlyViewError extends Error {}

/** Writes as an overlay on seeded content, snapshots as frozen maps, CBT as a change log. */
/**
 * Counts every change to any disk of this process (writes, snapshots, CBT resets): vCenter's cached
 * property results are keyed on it too, so a disk change can never leave one stale. Shared by
 * every lab in the process: another lab's write only costs a cache miss.
 */
let generation = 0;

export function diskGeneration(): number {
  return generation;
}

export class SimVirtualDisk implements VirtualDisk {
  capacityBytes: number;
  private live: SegmentMap;
  private readonly snapshots = new Map<string, Frozen>();
  private deltas = 0;
  private cbt: ChangeLog | undefined;
  private epochs = 0;
  private guestWrites = 0;

  /** `cbtInstance`: see ChangeLog; every epoch of this disk object carries it in its UUID. */
  constructor(readonly vm: string, readonly spec: DiskSpec, changeTracking = false, private readonly cbtInstance = '') {
    this.capacityBytes = spec.capacityBytes;
    this.live = new SegmentMap();
    const base: Source = { kind: 'stream', key: streamKey(spec.seed) };
    for (const x of initialLayout(spec.seed, spec.capacityBytes, spec.allocatedBytes)) this.live.put(x.start, x.start + x.length, base);
    if (changeTracking) this.setChangeTracking(true);
  }

  get key(): number {
    return this.spec.key;
  }

  get currentFileName(): string {
    return this.deltas === 0 ? this.spec.fileName : deltaFileName(this.spec.fileName, this.deltas);
  }

  get currentChangeId(): string | undefined {
    return this.cbt?.current;
  }

  get changeTrackingEnabled(): boolean {
    return this.cbt !== undefined;
  }

  set changeTrackingEnabled(on: boolean) {
    this.setChangeTracking(on);
  }

  setChangeTracking(enabled: boolean): void {
    generation++;
    if (enabled && !this.cbt) this.cbt = new ChangeLog(this.spec.seed, ++this.epochs, this.cbtInstance);
    if (!enabled) this.cbt = undefined;
  }

  /** The content of another disk's view, as a full clone copies it (CBT starts with nothing changed). */
  copyFrom(view: DiskView): void {
    generation++;
    const src = view.disk as SimVirtualDisk;
    if (src.capacityBytes > this.capacityBytes) throw new RangeError(`cannot copy ${src.capacityBytes} bytes into ${this.spec.fileName} (capacity ${this.capacityBytes})`);
    this.live = src.mapOf(view).clone();
  }

  grow(capacityBytes: number): void {
    if (!Number.isSafeInteger(capacityBytes) || capacityBytes < this.capacityBytes) throw new RangeError(`${this.spec.fileName} cannot shrink from ${this.capacityBytes} to ${capacityBytes}`);
    this.capacityBytes = capacityBytes;
    generation++;
  }

  resetCbt(): void {
    generation++;
    if (this.cbt) this.cbt = new ChangeLog(this.spec.seed, ++this.epochs, this.cbtInstance);
  }

  freeze(snapshotId: string): { fileName: string; changeId: string | undefined } {
    generation++;
    if (this.snapshots.has(snapshotId)) throw new Error(`snapshot ${snapshotId} already frozen on ${this.spec.fileName}`);
    const fileName = this.currentFileName;
    const point = this.cbt?.point();
    this.snapshots.set(snapshotId, { map: this.live.clone(), fileName, changeId: point?.changeId, seq: point?.seq ?? 0 });
    this.deltas += 1;
    return { fileName, changeId: point?.changeId };
  }

  release(snapshotId: string): void {
    generation++;
    this.snapshots.delete(snapshotId);
    // With no snapshot left the VM runs on its base disk again (vSphere consolidates the deltas).
    if (this.snapshots.size === 0) this.deltas = 0;
  }

  revert(snapshotId: string): void {
    generation++;
    const snap = this.frozen(snapshotId);
    if (this.cbt && snap.changeId && this.cbt.seqOf(snap.changeId) !== undefined) {
      // What changed since the snapshot now holds the snapshot's content again: changed once more.
      for (const x of this.cbt.between(snap.seq, this.cbt.currentSeq + 1)) this.cbt.record(x.start, x.start + x.length);
    } else if (this.cbt) {
      for (const x of this.live.allocated()) this.cbt.record(x.start, x.start + x.length);
    }
    this.live = snap.map.clone();
  }

  queryChangedAreas(snapshotId: string, startOffset: number, changeId: string): ChangedAreas {
    const snap = this.frozen(snapshotId);
    if (!Number.isSafeInteger(startOffset) || startOffset < 0 || startOffset >= this.capacityBytes) {
      throw new RangeError(`startOffset ${startOffset} is outside the disk (capacity ${this.capacityBytes})`);
    }
    if (!this.cbt || !snap.changeId) {
      throw new CbtError(`Change tracking is not enabled for ${snap.fileName}`, snap.fileName);
    }
    let areas: Extent[];
    if (changeId === '*') {
      areas = snap.map.allocated();
    } else {
      const from = this.cbt.seqOf(changeId);
      if (from === undefined || this.cbt.seqOf(snap.changeId) === undefined || from > snap.seq) {
        throw new CbtError(`Error caused by file ${snap.fileName}: changeId ${changeId} is not valid (unknown or from before a change tracking reset)`, snap.fileName);
      }
      areas = this.cbt.between(from, snap.seq);
    }
    return page(areas, startOffset, this.capacityBytes);
  }

  guestWrite(opts: { percent: number; extents: number; seed?: string }): { bytes: number; extents: Extent[] } {
    const n = ++this.guestWrites;
    const seed = opts.seed ?? `${this.spec.seed}:write:${n}`;
    const bytes = (Math.max(0, opts.percent) / 100) * this.live.allocatedBytes();
    const extents = guestWriteLayout(seed, this.capacityBytes, bytes, opts.extents);
    const src: Source = { kind: 'stream', key: streamKey(`${seed}:content`) };
    for (const x of extents) this.putLive(x.start, x.start + x.length, src);
    return { bytes: extents.reduce((t, x) => t + x.length, 0), extents };
  }

  read(view: DiskView, offset: number, length: number): Buffer {
    const out = Buffer.allocUnsafe(length);
    this.readInto(view, offset, out, 0, length);
    return out;
  }

  /** Reads straight into a caller's buffer (the NFC server builds reply frames around the data). */
  readInto(view: DiskView, offset: number, target: Buffer, targetOffset: number, length: number): void {
    this.checkRange(offset, length);
    this.mapOf(view).readInto(offset, target, targetOffset, length);
  }

  readSlices(view: DiskView, offset: number, length: number): Buffer[] {
    this.checkRange(offset, length);
    return this.mapOf(view).readSlices(offset, length);
  }

  write(view: DiskView, offset: number, data: Buffer): void {
    if (view.readOnly || view.snapshotId !== undefined) throw new ReadOnlyViewError(`${this.fileNameOf(view)} is read-only`);
    this.checkRange(offset, data.length);
    // Zero runs cost no memory; other data is copied because callers reuse their buffers.
    const src: Source = isAllZero(data) ? { kind: 'zero' } : { kind: 'buf', buf: Buffer.from(data), at: offset };
    this.putLive(offset, offset + data.length, src);
  }

  checksum(view?: DiskView): string {
    const map = view ? this.mapOf(view) : this.live;
    const hash = createHash('sha256');
    const chunk = Buffer.allocUnsafe(1 << 20);
    const pos = Buffer.alloc(16);
    for (const x of map.nonZero()) {
      pos.writeBigUInt64LE(BigInt(x.start), 0);
      pos.writeBigUInt64LE(BigInt(x.length), 8);
      hash.update(pos);
      for (let off = 0; off < x.length; off += chunk.length) {
        const n = Math.min(chunk.length, x.length - off);
        map.readInto(x.start + off, chunk, 0, n);
        hash.update(chunk.subarray(0, n));
      }
    }
    return hash.digest('hex');
  }

  /** Allocated extents of a view (what "*" reports, unpaged). */
  allocatedExtents(view?: DiskView): Extent[] {
    return (view ? this.mapOf(view) : this.live).allocated();
  }

  /** The datastore path a view is opened by. */
  fileNameOf(view: DiskView): string {
    return view.snapshotId === undefined ? this.currentFileName : this.frozen(view.snapshotId).fileName;
  }

  snapshotFiles(): { snapshotId: string; fileName: string }[] {
    return [...this.snapshots].map(([snapshotId, f]) => ({ snapshotId, fileName: f.fileName }));
  }

  private putLive(start: number, end: number, src: Source): void {
    generation++;
    this.live.put(start, end, src);
    this.cbt?.record(start, end);
  }

  mapOf(view: DiskView): SegmentMap {
    return view.snapshotId === undefined ? this.live : this.frozen(view.snapshotId).map;
  }

  private frozen(snapshotId: string): Frozen {
    const f = this.snapshots.get(snapshotId);
    if (!f) throw new Error(`disk ${this.spec.fileName} has no snapshot ${snapshotId}`);
    return f;
  }

  private checkRange(offset: number, length: number): void {
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > this.capacityBytes) {
      throw new RangeError(`range ${offset}+${length} is past the end of ${this.spec.fileName} (capacity ${this.capacityBytes})`);
    }
  }
}

/** "[ds] vm/vm.vmdk" -> "[ds] vm/vm-000001.vmdk", the name vSphere gives the running delta. */
export function deltaFileName(base: string, n: number): string {
  return base.replace(/(\.vmdk)?$/, `-${String(n).padStart(6, '0')}.vmdk`);
}

function page(areas: Extent[], startOffset: number, capacity: number): ChangedAreas {
  const windowEnd = Math.min(capacity, startOffset + CBT_PAGE_SPAN);
  const changedArea: Extent[] = [];
  for (const x of areas) {
    const s = Math.max(x.start, startOffset);
    const e = Math.min(x.start + x.length, windowEnd);
    if (e <= s) {
      if (x.start >= windowEnd) break;
      continue;
    }
    changedArea.push({ start: s, length: e - s });
    if (changedArea.length === CBT_PAGE_MAX_AREAS) {
      return { startOffset, length: e - startOffset, changedArea };
    }
  }
  return { startOffset, length: windowEnd - startOffset, changedArea };
}
