import type { LabWorld } from '../world.ts';
import type { VmSpec, HostSpec } from '../inventory/types.ts';
import type { VirtualDisk } from '../disk/contract.ts';
import { Faults } from './soap/faults.ts';

/** A snapshot as both endpoints report it: its tree position and the disk backings it froze. */
export interface SnapshotState {
  id: number;
  vm: string;
  name: string;
  description: string;
  createTime: Date;
  quiesced: boolean;
  powerState: string;
  parent?: number;
  children: number[];
  /** The disk model's id for the frozen point in time. */
  diskSnapshotId: string;
  disks: { key: number; fileName: string; changeId: string | undefined }[];
}

/** What vCenter knows about a VM beyond its inventory spec; shared by vCenter and its host's agent. */
export interface VmState {
  spec: VmSpec;
  snapshots: Map<number, SnapshotState>;
  currentSnapshot?: number;
  /** Name of the task that holds the VM (snapshot in progress); others get InvalidState. */
  busy?: string;
  modified: Date;
  bootTime?: Date;
}

/** The mutable vSphere view of the world, created on first use by whichever endpoint starts first. */
export class VsphereState {
  readonly vms = new Map<string, VmState>();
  /** Certificate thumbprints of the ESXi components, by component name (for NFC tickets). */
  readonly hostCerts = new Map<string, { sha1: string; sha256: string; pem?: string }>();
  /**
   * The port each ESXi host agent's 443 listener really has (10443 in offset mode, any port in
   * single-host mode), by component name: the port in the transfer URLs vCenter hands out.
   */
  readonly hostHttpsPorts = new Map<string, number>();
  private nextSnapshot = 1;
  private nextVm: number;
  /**
   * Bumped by every call that can change what vCenter or a host agent reports (every SOAP operation
   * but the reads, each task step, every engine.changed()): cached RetrievePropertiesEx results are
   * valid only at the version they were made at (collector/result-cache.ts).
   */
  version = 0;
  /** Operations under way (SOAP calls and task bodies that may still change state between awaits): no result is cached while any is. */
  busy = 0;

  constructor(private readonly world: LabWorld) {
    for (const spec of world.inventory.vms) this.track(spec);
    this.nextVm = 101 + world.inventory.vms.reduce((m, v) => Math.max(m, Number(v.moid.slice(3)) - 100), 0);
  }

  private track(spec: VmSpec): VmState {
    const s: VmState = {
      spec,
      snapshots: new Map(),
      modified: new Date(),
      bootTime: spec.powerState === 'poweredOn' ? new Date() : undefined,
    };
    this.vms.set(spec.moid, s);
    return s;
  }

  vm(moid: string): VmState | undefined {
    return this.vms.get(moid);
  }

  host(moid: string): HostSpec | undefined {
    return this.world.inventory.hosts.find((h) => h.moid === moid);
  }

  newSnapshotId(): number {
    return this.nextSnapshot++;
  }

  snapshotById(id: number): SnapshotState | undefined {
    for (const vm of this.vms.values()) {
      const s = vm.snapshots.get(id);
      if (s) return s;
    }
    return undefined;
  }

  /** A VM made by CreateVM_Task: it joins the inventory every room reads. */
  addVm(spec: Omit<VmSpec, 'moid'>): VmState {
    const full: VmSpec = { ...spec, moid: `vm-${this.nextVm++}` };
    this.world.inventory.vms.push(full);
    return this.track(full);
  }

  removeVm(moid: string): void {
    this.vms.delete(moid);
    const i = this.world.inventory.vms.findIndex((v) => v.moid === moid);
    if (i >= 0) this.world.inventory.vms.splice(i, 1);
  }

  /** The VM's disks in the disk model, created there on first use. */
  disks(vm: VmState): VirtualDisk[] {
    const store = this.world.disks;
    if (!store) throw Faults.internal('the disk model is not loaded in this lab');
    return vm.spec.disks.map((d) => store.get(vm.spec.moid, d.key) ?? store.create(vm.spec.moid, d));
  }

  disk(vm: VmState, key: number): VirtualDisk | undefined {
    if (!vm.spec.disks.some((d) => d.key === key)) return undefined;
    return this.disks(vm).find((d) => d.key === key);
  }
}

declare module '../world.ts' {
  interface LabWorld {
    vsphere: VsphereState;
  }
}

export function vsphereOf(world: LabWorld): VsphereState {
  return (world.vsphere ??= new VsphereState(world));
}
