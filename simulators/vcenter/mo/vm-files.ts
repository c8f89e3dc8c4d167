import { randomUUID } from 'node:crypto';
import type { MoRef } from '../../core/codecs/vim25/index.ts';
import type { DiskView } from '../../disk/contract.ts';
import type { DiskSpec, VmSpec } from '../../inventory/types.ts';
import type { LabWorld } from '../../world.ts';
import type { SoapEngine } from '../engine.ts';
import { vsphereOf, type VmState } from '../state.ts';
import { copyHardware, hardwareOf, setHardware, type VmHardware } from './vm-hardware.ts';
import { vmxPathOf } from './vm-devices.ts';

/** A VM removed from the inventory by UnregisterVM: its files stay on the datastore for RegisterVM_Task. */
export interface UnregisteredVm {
  spec: VmSpec;
  hw: VmHardware;
}

declare module '../../world.ts' {
  interface LabWorld {
    unregisteredVms: Map<string, UnregisteredVm>;
  }
}

export function unregisteredVms(world: LabWorld): Map<string, UnregisteredVm> {
  return (world.unregisteredVms ??= new Map());
}

/** The inventory moid of a HostSystem reference as this endpoint names it ("host-12", hostd's "ha-host"). */
export function hostMoidOf(engine: SoapEngine, ref: MoRef): string | undefined {
  return engine.world.inventory.hosts.find((h) => engine.layout.hostRef(h.moid).value === ref.value)?.moid;
}

/** Is a .vmdk of this datastore path on disk (a VM's disk, a snapshot delta, a detached or unregistered disk)? */
export function diskFileExists(engine: SoapEngine, file: string): boolean {
  const name = file.trim();
  return engine.world.inventory.vms.some((v) => v.disks.some((d) => d.fileName === name)) || !!engine.world.disks?.byPath(name);
}

export interface NewVm {
  name: string;
  host: string;
  datastore: string;
  template: boolean;
  /** The content each new disk starts from (the source's live disk or a snapshot). */
  diskFrom(d: DiskSpec): DiskView | undefined;
  /** Keep the source's disk file names (RegisterVM) instead of naming them after the new VM (clone). */
  keepFileNames: boolean;
  /** A new identity (clone) or the one the .vmx holds (register). */
  newIdentity: boolean;
}

/** A VM made from another one's definition and disks: CloneVM_Task and RegisterVM_Task. */
export function addVmFrom(engine: SoapEngine, src: VmSpec, srcHw: VmHardware, o: NewVm): VmState {
  const inv = engine.world.inventory;
  const dsName = inv.datastores.find((d) => d.moid === o.datastore)?.name ?? src.disks[0]?.datastore ?? inv.datastores[0]!.name;
  const disks: DiskSpec[] = src.disks.map((d, n) => ({
    ...d,
    datastore: o.keepFileNames ? d.datastore : dsName,
    fileName: o.keepFileNames ? d.fileName : `[${dsName}] ${o.name}/${o.name}${n === 0 ? '' : `_${n}`}.vmdk`,
    seed: `${inv.seed}:${o.name}:disk${d.key}:${randomUUID()}`,
  }));
  const { moid: _moid, sqlServer: _sql, ...rest } = src;
  const vm = vsphereOf(engine.world).addVm({
    ...rest,
    name: o.name,
    uuid: o.newIdentity ? randomUUID() : src.uuid,
    instanceUuid: o.newIdentity ? randomUUID() : src.instanceUuid,
    hostname: o.newIdentity ? `${o.name}.${src.hostname.split('.').slice(1).join('.') || 'lab.test'}` : src.hostname,
    ip: o.newIdentity ? (engine.world.addressOf?.(`guest-${o.name}`) ?? '') : src.ip,
    powerState: 'poweredOff',
    host: o.host,
    datastore: o.datastore,
    disks,
  });
  const hw = copyHardware(srcHw);
  hw.template = o.template;
  setHardware(vm, hw);
  const store = engine.world.disks;
  if (store) src.disks.forEach((d, n) => store.create(vm.spec.moid, disks[n]!, { changeTracking: vm.spec.cbtEnabled, from: o.diskFrom(d) }));
  return vm;
}

/** UnregisterVM: out of the inventory, files kept (its disks stay in the disk model under the old id). */
export function unregisterVm(engine: SoapEngine, vm: VmState): void {
  unregisteredVms(engine.world).set(vmxPathOf(vm), { spec: vm.spec, hw: hardwareOf(vm) });
  vsphereOf(engine.world).removeVm(vm.spec.moid);
}
