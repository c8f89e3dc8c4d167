import type { DiskSpec } from '../inventory/types.ts';

/**
 * The contract between the disk model (this room) and its users: the vCenter SOAP engine
 * (snapshots, CBT queries), ESXi 902 (reads and writes by datastore path) and scenarios (guest
 * writes, CBT reset). Offsets and lengths are bytes; extents are sector (512) aligned.
 */
export interface Extent {
  start: number;
  length: number;
}

/** vSphere's DiskChangeInfo. */
export interface ChangedAreas {
  startOffset: number;
  length: number;
  changedArea: Extent[];
}

/** A changeId the log cannot answer for (unknown, or from before a CBT reset): vSphere answers FileFault. */
export class CbtError extends Error {
  readonly fault = 'FileFault';
  constructor(message: string, readonly file: string) {
    super(message);
  }
}

/** A read-only point in time (a snapshot) or the live, writable disk. */
export interface DiskView {
  disk: VirtualDisk;
  /** undefined = the live disk. */
  snapshotId?: string;
  readOnly: boolean;
}

export interface VirtualDisk {
  readonly vm: string;
  readonly key: number;
  readonly spec: DiskSpec;
  readonly capacityBytes: number;
  /** The file the running VM writes to now ("[ds] vm/vm-000001.vmdk" while a snapshot exists). */
  readonly currentFileName: string;
  /** The changeId of the live disk now (vSphere's "52 ab ... cd/N" form), or undefined when CBT is off. */
  readonly currentChangeId: string | undefined;
  changeTrackingEnabled: boolean;
  /** Turning CBT on starts a new change epoch; turning it off forgets every changeId. */
  setChangeTracking(enabled: boolean): void;
  /** Freezes the current content for a snapshot; returns the snapshot backing's file and changeId. */
  freeze(snapshotId: string): { fileName: string; changeId: string | undefined };
  /** The snapshot is deleted (its frozen content merges into the live disk). */
  release(snapshotId: string): void;
  /** Revert the live disk to a snapshot's content. */
  revert(snapshotId: string): void;
  /** Areas changed between `changeId` ("*" = every allocated area) and the snapshot, paged from startOffset. */
  queryChangedAreas(snapshotId: string, startOffset: number, changeId: string): ChangedAreas;
  /** A CBT reset: every earlier changeId becomes invalid (CbtError). */
  resetCbt(): void;
  /** The guest changes `percent` of the allocated bytes in `extents` extents. */
  guestWrite(opts: { percent: number; extents: number; seed?: string }): { bytes: number; extents: Extent[] };
  read(view: DiskView, offset: number, length: number): Buffer;
  /** Like read, into a caller's buffer (no allocation per read; the NFC server frames around it). */
  readInto(view: DiskView, offset: number, target: Buffer, targetOffset: number, length: number): void;
  /** Like read, as buffers the disk does not copy (keystream output, views of stored data): read-only to the caller. */
  readSlices(view: DiskView, offset: number, length: number): Buffer[];
  write(view: DiskView, offset: number, data: Buffer): void;
  /** The extents the guest has written (what "*" QueryChangedDiskAreas reports), of a view or the live disk. */
  allocatedExtents(view?: DiskView): Extent[];
  /** SHA-256 over the allocated extents' bytes and positions of a view. */
  checksum(view?: DiskView): string;
  /** Grows the disk (ReconfigVM edit of capacity); vSphere never shrinks a disk. */
  grow(capacityBytes: number): void;
}

export interface DiskStore {
  get(vm: string, key: number): VirtualDisk | undefined;
  forVm(vm: string): VirtualDisk[];
  /** `changeTracking`: CBT on from the start (the VM's changeTrackingEnabled). */
  /** `from`: start as a copy of that view's content (a clone, a re-registered VM's disk). */
  create(vm: string, spec: DiskSpec, opts?: { changeTracking?: boolean; from?: DiskView }): VirtualDisk;
  /** Deletes a VM's disk files (one device key, or all of them). */
  remove(vm: string, key?: number): void;
  /** Resolve a datastore path ("[datastore1] sql01/sql01.vmdk") to the live disk or a frozen snapshot view. */
  byPath(path: string): DiskView | undefined;
}

declare module '../world.ts' {
  interface LabWorld {
    disks: DiskStore;
  }
}
