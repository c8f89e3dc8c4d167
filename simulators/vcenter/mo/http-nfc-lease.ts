import { randomBytes } from 'node:crypto';
import { data, type DataObject, type MoRef } from '../../core/codecs/vim25/index.ts';
import type { VirtualDisk } from '../../disk/contract.ts';
import type { LabWorld } from '../../world.ts';
import type { CallContext, SoapEngine } from '../engine.ts';
import { ManagedObject } from '../managed-object.ts';
import { Args } from '../soap/args.ts';
import { Faults, VimFault } from '../soap/faults.ts';
import { vsphereOf, type VmState } from '../state.ts';
import { vmMaker } from './create-vm.ts';
import { hostHttpsPort, portSuffix } from '../host-port.ts';
import { controllerOfDisk, hardwareOf } from './vm-hardware.ts';
import type { VirtualMachine } from './virtual-machine.ts';
import { after } from '../../timing.ts';

/** A lease with no progress for this long times out, like vSphere's HttpNfcLease (leaseTimeout 300 s). */
export const LEASE_TIMEOUT_MS = 300_000;
/** A finished lease object stays readable this long. */
const LEASE_KEEP_MS = 10 * 60_000;

export type LeaseState = 'initializing' | 'ready' | 'done' | 'error';

/** What the host's /nfc/ handler needs of a lease: its disks, direction and state. */
export interface LeaseRecord {
  id: string;
  mode: 'export' | 'import';
  vm: string;
  hostComponent: string;
  state: LeaseState;
  error?: VimFault;
  /** disk-0.vmdk, disk-1.vmdk ... in the VM's disk order. */
  files: { name: string; key: number }[];
  transferred: number;
  lastActive: number;
  /** SHA-1 and size of each file fully downloaded (whole-file GET): what HttpNfcLeaseGetManifest reports. */
  manifest: Map<string, { sha1: string; size: number }>;
  /** Unlocks the VM (lease done, aborted or timed out). */
  release(): void;
}

declare module '../../world.ts' {
  interface LabWorld {
    nfcLeases: Map<string, LeaseRecord>;
  }
}

export function nfcLeases(world: LabWorld): Map<string, LeaseRecord> {
  return (world.nfcLeases ??= new Map());
}

/** The lease's disk behind a device URL file name, when the lease can serve it now. */
export function leaseDisk(world: LabWorld, id: string, file: string, hostComponent: string): { lease: LeaseRecord; disk: VirtualDisk } | string {
  const lease = nfcLeases(world).get(id);
  if (!lease || lease.hostComponent !== hostComponent) return 'unknown lease';
  expire(lease);
  if (lease.state !== 'ready') return `lease is ${lease.state}`;
  const f = lease.files.find((x) => x.name === file);
  const vm = vsphereOf(world).vm(lease.vm);
  const disk = f && vm ? vsphereOf(world).disk(vm, f.key) : undefined;
  if (!disk) return 'unknown file';
  lease.lastActive = Date.now();
  return { lease, disk };
}

function expire(lease: LeaseRecord): void {
  if ((lease.state === 'ready' || lease.state === 'initializing') && Date.now() - lease.lastActive > LEASE_TIMEOUT_MS) {
    lease.state = 'error';
    lease.error = new VimFault('Timedout', 'Operation timed out.');
    lease.release();
  }
}

/** The VM is locked while a lease on it is open (power operations and snapshots get InvalidState). */
export const LEASE_LOCKS = new Set(['ExportVm', 'ImportVApp']);

/** HttpNfcLease: export or import of a VM's disks over the host's https /nfc/ URLs. */
export class HttpNfcLease extends ManagedObject {
  private progress = 0;

  constructor(engine: SoapEngine, readonly lease: LeaseRecord, private readonly vm: VmState, private readonly onAbort?: () => void) {
    super(engine, 'HttpNfcLease', `session[${lease.id}]`);
    this.expose({
      state: () => (expire(lease), lease.state),
      error: () => lease.error?.toLocalized(),
      info: () => (lease.state === 'ready' ? this.info() : undefined),
      initializeProgress: () => (lease.state === 'initializing' ? 0 : 100),
      transferProgress: () => this.progress,
      mode: () => 'pushOrGet',
      capabilities: () => data('HttpNfcLeaseCapabilities', { pullModeSupported: false, corsSupported: false }),
    });
    after(engine.options.taskDelays?.queuedMs ?? engine.timing.leaseInitMs, () => {
      if (lease.state !== 'initializing') return;
      lease.state = 'ready';
      lease.lastActive = Date.now();
      engine.changed();
    });
  }

  /** The device URL key of each file (what manifest entries and deviceUrl share). */
  private deviceKey(diskKey: number): string {
    const hw = hardwareOf(this.vm);
    const spec = this.vm.spec.disks.find((d) => d.key === diskKey)!;
    const ctrl = hw.controllers.find((c) => c.key === controllerOfDisk(hw, spec.key));
    return `/${this.vm.spec.name}/${ctrl?.type ?? 'VirtualController'}${ctrl?.busNumber ?? 0}:${spec.unitNumber}`;
  }

  private info(): DataObject {
    const engine = this.engine;
    const host = engine.world.inventory.hosts.find((h) => h.moid === this.vm.spec.host);
    const hostName = engine.flavor === 'esxi' || !host ? '*' : host.name;
    const disks = this.lease.files.map((f) => ({ f, spec: this.vm.spec.disks.find((d) => d.key === f.key)! }));
    return data('HttpNfcLeaseInfo', {
      lease: this.ref,
      entity: engine.layout.vmRef(this.vm.spec.moid),
      deviceUrl: disks.map(({ f, spec }) => {
        const key = this.deviceKey(spec.key);
        return data('HttpNfcLeaseDeviceUrl', {
          key,
          importKey: key,
          url: `https://${hostName}${portSuffix(hostHttpsPort(engine, host?.component))}/nfc/${this.lease.id}/${f.name}`,
          sslThumbprint: host ? engine.options.thumbprintOf(host.component) : undefined,
          disk: true,
          targetId: f.name,
          datastoreKey: engine.layout.datastoreRef(this.vm.spec.datastore).value,
          fileSize: spec.capacityBytes,
        });
      }),
      totalDiskCapacityInKB: Math.ceil(this.vm.spec.disks.reduce((n, d) => n + d.capacityBytes, 0) / 1024),
      leaseTimeout: LEASE_TIMEOUT_MS / 1000,
    });
  }

  private requireState(...states: LeaseState[]): void {
    expire(this.lease);
    if (!states.includes(this.lease.state)) throw Faults.invalidState(`The lease is ${this.lease.state}.`);
  }

  HttpNfcLeaseProgress(args: Args): void {
    const percent = args.int('percent');
    if (percent < 0 || percent > 100) throw Faults.invalidArgument('percent');
    this.requireState('ready');
    this.progress = percent;
    this.lease.lastActive = Date.now();
  }

  /** The SHA-1 of each file downloaded whole so far (ESXi computes it over the bytes it sent). */
  HttpNfcLeaseGetManifest(): DataObject[] {
    if (this.lease.mode !== 'export') throw new VimFault('NotSupported', 'A manifest is only available for an export lease.');
    this.requireState('ready');
    return this.lease.files.flatMap((f) => {
      const m = this.lease.manifest.get(f.name);
      const spec = this.vm.spec.disks.find((d) => d.key === f.key);
      if (!m || !spec) return [];
      return [data('HttpNfcLeaseManifestEntry', { key: this.deviceKey(f.key), sha1: m.sha1, size: m.size, disk: true, capacity: spec.capacityBytes, populatedSize: m.size })];
    });
  }

  HttpNfcLeaseComplete(): void {
    this.requireState('ready');
    this.lease.state = 'done';
    this.progress = 100;
    this.close();
  }

  HttpNfcLeaseAbort(args: Args): void {
    this.requireState('initializing', 'ready');
    const fault = args.optObj('fault');
    this.lease.state = 'error';
    this.lease.error = new VimFault(fault?._type ?? 'RequestCanceled', 'The lease was aborted by the client.');
    this.onAbort?.();
    this.close();
  }

  /** The URLs stop working now; the lease object stays readable a while, as finished tasks do. */
  private close(): void {
    this.lease.release();
    nfcLeases(this.engine.world).delete(this.lease.id);
    this.engine.changed();
    setTimeout(() => this.engine.unregister(this.ref), LEASE_KEEP_MS).unref?.();
  }
}

function newLease(engine: SoapEngine, vm: VmState, mode: LeaseRecord['mode'], onAbort?: () => void): HttpNfcLease {
  if (vm.busy) throw Faults.invalidState(`Another task is already in progress (${vm.busy}).`);
  const lock = mode === 'export' ? 'ExportVm' : 'ImportVApp';
  vm.busy = lock;
  const host = engine.world.inventory.hosts.find((h) => h.moid === vm.spec.host);
  const record: LeaseRecord = {
    id: `52${randomBytes(15).toString('hex')}`,
    mode,
    vm: vm.spec.moid,
    hostComponent: host?.component ?? '',
    state: 'initializing',
    files: vm.spec.disks.map((d, n) => ({ name: `disk-${n}.vmdk`, key: d.key })),
    transferred: 0,
    lastActive: Date.now(),
    manifest: new Map(),
    release: () => {
      if (vm.busy === lock) vm.busy = undefined;
    },
  };
  nfcLeases(engine.world).set(record.id, record);
  return engine.register(new HttpNfcLease(engine, record, vm, onAbort));
}

/** VirtualMachine.ExportVm: the VM must be off; its disks are then readable at the lease's URLs. */
export function exportVm(source: VirtualMachine, _call: CallContext): MoRef {
  const vm = source.vm;
  if (vm.spec.powerState !== 'poweredOff') throw Faults.invalidPowerState('poweredOff', vm.spec.powerState);
  return newLease(source.engine, vm, 'export').ref;
}

/** ResourcePool.ImportVApp: a new VM from a VirtualMachineImportSpec whose disks are written at the lease's URLs. */
export function importVApp(pool: ManagedObject, args: Args, call: CallContext): MoRef {
  const engine = call.engine;
  const spec = Args.of(args.obj('spec'), 'spec');
  if (spec.raw._type && spec.raw._type !== 'VirtualMachineImportSpec') throw new VimFault('NotSupported', `${spec.raw._type} is not supported (only VirtualMachineImportSpec).`);
  const folderRef = args.optRef('folder', 'Folder');
  const folder = folderRef ? engine.require(folderRef) : pool;
  const config = Args.of(spec.obj('configSpec'), 'spec.configSpec');
  const vm = vmMaker(engine, folder, config, args.optRef('host', 'HostSystem'))();
  return newLease(engine, vm, 'import', () => {
    engine.world.disks?.remove(vm.spec.moid);
    vsphereOf(engine.world).removeVm(vm.spec.moid);
  }).ref;
}
