import type { DiskSpec, Inventory } from '../inventory/types.ts';
import type { DiskStore, DiskView } from './contract.ts';
import { SimVirtualDisk } from './virtual-disk.ts';

export interface CreateDiskOptions {
  /** CBT on from the start (the VM's changeTrackingEnabled). */
  changeTracking?: boolean;
  /** Start as a copy of this view's content (segments are shared, so a copy costs no bytes). */
  from?: DiskView;
}

/** Every virtual disk of one lab, by VM and device key, and by datastore path for NFC. */
export class SimDiskStore implements DiskStore {
  private readonly disks = new Map<string, SimVirtualDisk>();

  /**
   * `cbtInstance` goes into every CBT epoch UUID of this store's disks. Disk content is rebuilt from
   * the seeds on every lab start (guest writes and restores are not persisted), so the change log
   * starts over too and must not answer for changeIds of an earlier run: the lab passes a fresh
   * random value per start. Unit tests leave it '' for deterministic changeIds.
   */
  constructor(readonly cbtInstance = '') {}

  get(vm: string, key: number): SimVirtualDisk | undefined {
    return this.disks.get(`${vm}/${key}`);
  }

  forVm(vm: string): SimVirtualDisk[] {
    return [...this.disks.values()].filter((d) => d.vm === vm);
  }

  all(): SimVirtualDisk[] {
    return [...this.disks.values()];
  }

  create(vm: string, spec: DiskSpec, opts: CreateDiskOptions = {}): SimVirtualDisk {
    const id = `${vm}/${spec.key}`;
    if (this.disks.has(id)) throw new Error(`VM ${vm} already has a disk with key ${spec.key}`);
    const disk = new SimVirtualDisk(vm, spec, opts.changeTracking ?? false, this.cbtInstance);
    if (opts.from) disk.copyFrom(opts.from);
    this.disks.set(id, disk);
    return disk;
  }

  /** Drops a VM's disks (VM destroyed). */
  remove(vm: string, key?: number): void {
    for (const d of this.forVm(vm)) if (key === undefined || d.key === key) this.disks.delete(`${vm}/${d.key}`);
  }

  byPath(path: string): DiskView | undefined {
    const p = path.trim();
    for (const disk of this.disks.values()) {
      if (disk.currentFileName === p) return { disk, readOnly: false };
      for (const s of disk.snapshotFiles()) if (s.fileName === p) return { disk, snapshotId: s.snapshotId, readOnly: true };
    }
    return undefined;
  }
}

/** The lab's disks as the inventory describes them. */
export function createDiskStore(inventory: Inventory, cbtInstance = ''): SimDiskStore {
  const store = new SimDiskStore(cbtInstance);
  for (const vm of inventory.vms) for (const spec of vm.disks) store.create(vm.moid, spec, { changeTracking: vm.cbtEnabled });
  return store;
}
