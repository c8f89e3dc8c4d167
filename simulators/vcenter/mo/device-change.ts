import { randomUUID } from 'node:crypto';
import { isXObject, MoRef, type XValue } from '../../core/codecs/vim25/index.ts';
import type { DiskSpec } from '../../inventory/types.ts';
import type { SoapEngine } from '../engine.ts';
import { Args } from '../soap/args.ts';
import { Faults, VimFault } from '../soap/faults.ts';
import type { VmState } from '../state.ts';
import { CONTROLLER_TYPES, controllerOfDisk, macOf, NIC_TYPES, SCSI_CONTROLLER_UNIT, SCSI_TYPES, type VmHardware } from './vm-hardware.ts';
import { diskFileExists } from './vm-files.ts';

/** The faults vCenter answers a bad VirtualDeviceConfigSpec with (deviceIndex = its place in deviceChange). */
export const DeviceFaults = {
  spec: (i: number, why: string) => new VimFault('InvalidDeviceSpec', `Invalid configuration for device '${i}'. (${why})`, { property: 'virtualDeviceSpec.device', deviceIndex: i }),
  operation: (i: number, badOp?: string, badFileOp?: string) =>
    new VimFault('InvalidDeviceOperation', `Invalid operation for device '${i}'.`, { property: 'virtualDeviceSpec.operation', deviceIndex: i, badOp, badFileOp }),
  controller: (i: number, controllerKey: number) =>
    new VimFault('InvalidController', `Device '${i}' refers to controller ${controllerKey}, which does not exist.`, { property: 'virtualDeviceSpec.device.controllerKey', deviceIndex: i, controllerKey }),
  fileExists: (file: string) => new VimFault('FileAlreadyExists', `Cannot complete the operation because the file or folder ${file} already exists`, { file }),
  fileNotFound: (file: string) => new VimFault('FileNotFound', `File ${file} was not found`, { file }),
};

/** Disk-model work a device change leads to, done only once every change in the spec is valid. */
type DiskOp =
  | { kind: 'create'; spec: DiskSpec; copyOf?: string }
  | { kind: 'remove'; key: number; destroy: boolean }
  | { kind: 'grow'; key: number; bytes: number };

interface Plan {
  hw: VmHardware;
  disks: DiskSpec[];
  ops: DiskOp[];
}

const MAX_SCSI_UNITS = 16;

/**
 * Applies VirtualDeviceConfigSpec changes to a VM, all or nothing: every change is checked against
 * the VM's devices as the earlier changes left them, then the disk model is changed.
 */
export function applyDeviceChanges(engine: SoapEngine, vm: VmState, hw: VmHardware, changes: XValue[]): void {
  const plan: Plan = { hw: { ...hw, controllers: hw.controllers.map((c) => ({ ...c })), nics: hw.nics.map((n) => ({ ...n })), diskController: new Map(hw.diskController) }, disks: vm.spec.disks.slice(), ops: [] };
  // Clients give new devices negative keys and refer to them (a disk on a controller added in the same spec).
  const keys = new Map<number, number>();
  changes.forEach((raw, i) => planOne(engine, vm, plan, keys, Args.of(raw, 'deviceChange'), i));
  commit(engine, vm, plan);
  Object.assign(hw, plan.hw);
}

function planOne(engine: SoapEngine, vm: VmState, plan: Plan, keys: Map<number, number>, c: Args, i: number): void {
  const op = c.optStr('operation');
  const fileOp = c.optStr('fileOperation');
  const device = c.raw.device;
  if (!isXObject(device)) throw DeviceFaults.spec(i, 'no device');
  const type = device._type ?? '';
  const d = new Args(device);
  if (op !== 'add' && op !== 'remove' && op !== 'edit') throw DeviceFaults.operation(i, op);
  if (fileOp !== undefined && (type !== 'VirtualDisk' || !['create', 'destroy', 'replace'].includes(fileOp))) throw DeviceFaults.operation(i, op, fileOp);
  const given = d.optInt('key') ?? 0;
  const realKey = keys.get(given) ?? given;
  const on = vm.spec.powerState !== 'poweredOff';
  if (CONTROLLER_TYPES.has(type)) return planController(plan, keys, d, type, op, given, realKey, on, i);
  if (NIC_TYPES.has(type)) return planNic(engine, vm, plan, keys, d, type, op, given, realKey, i);
  if (type === 'VirtualDisk') return planDisk(engine, vm, plan, keys, d, op, fileOp, given, realKey, i);
  throw new VimFault('NotSupported', `Devices of type ${type || '(none)'} are not supported by this simulator.`);
}

function freeKey(used: number[], base: number): number {
  let k = base;
  while (used.includes(k)) k++;
  return k;
}

function planController(plan: Plan, keys: Map<number, number>, d: Args, type: string, op: string, given: number, key: number, on: boolean, i: number): void {
  const hw = plan.hw;
  if (op === 'add') {
    const bus = d.optInt('busNumber') ?? 0;
    const kind = SCSI_TYPES.has(type);
    if (bus < 0 || bus > 3 || hw.controllers.some((c) => SCSI_TYPES.has(c.type) === kind && c.busNumber === bus)) throw DeviceFaults.spec(i, `bus ${bus} is taken or out of range`);
    const real = freeKey(hw.controllers.map((c) => c.key), kind ? 1000 + bus : type === 'VirtualNVMEController' ? 31000 : 15000);
    keys.set(given, real);
    hw.controllers.push({ key: real, type, busNumber: bus, sharedBus: d.optStr('sharedBus') ?? 'noSharing' });
    return;
  }
  const at = hw.controllers.findIndex((c) => c.key === key);
  if (at < 0) throw DeviceFaults.spec(i, `no controller with key ${key}`);
  // Controllers are not hot-pluggable: removing one or changing its bus sharing needs the VM off.
  if (on) throw Faults.invalidPowerState('poweredOff', 'poweredOn');
  if (op === 'remove') {
    if (plan.disks.some((x) => controllerOfDisk(hw, x.key) === key)) throw DeviceFaults.spec(i, `controller ${key} still has disks`);
    hw.controllers.splice(at, 1);
    return;
  }
  const sharedBus = d.optStr('sharedBus');
  if (sharedBus) hw.controllers[at]!.sharedBus = sharedBus;
}

function planNic(engine: SoapEngine, vm: VmState, plan: Plan, keys: Map<number, number>, d: Args, type: string, op: string, given: number, key: number, i: number): void {
  const hw = plan.hw;
  const backing = d.optObj('backing');
  const network = () => {
    const b = backing ? new Args(backing) : undefined;
    const ref = b?.optRef('network');
    // A backing may name the network only by reference: its name is then the Network object's (read
    // without a call context, as a Network's name getter needs none).
    const name = b?.optStr('deviceName') ?? (ref && engine.lookup(ref)?.property('name', {} as never));
    if (!name || typeof name !== 'string') throw DeviceFaults.spec(i, 'a network adapter needs a network backing (deviceName or network)');
    return { network: name, networkRef: ref instanceof MoRef ? ref : undefined };
  };
  const connectable = d.optObj('connectable');
  const startConnected = connectable ? new Args(connectable).bool('startConnected', true) : true;
  if (op === 'add') {
    const real = freeKey(hw.nics.map((n) => n.key), 4000);
    keys.set(given, real);
    const units = hw.nics.map((n) => n.unitNumber);
    hw.nics.push({ key: real, type, ...network(), macAddress: d.optStr('macAddress') ?? macOf(vm.spec.uuid, real - 4000 + hw.nics.length), unitNumber: freeKey(units, 7), startConnected });
    return;
  }
  const at = hw.nics.findIndex((n) => n.key === key);
  if (at < 0) throw DeviceFaults.spec(i, `no network adapter with key ${key}`);
  if (op === 'remove') {
    hw.nics.splice(at, 1);
    return;
  }
  const nic = hw.nics[at]!;
  // An adapter's type is fixed: vCenter answers a changed type as an invalid edit.
  if (nic.type !== type) throw DeviceFaults.operation(i, op);
  if (backing) Object.assign(nic, network());
  if (connectable) nic.startConnected = startConnected;
}

function planDisk(engine: SoapEngine, vm: VmState, plan: Plan, keys: Map<number, number>, d: Args, op: string, fileOp: string | undefined, given: number, key: number, i: number): void {
  const hw = plan.hw;
  const bytes = d.optInt('capacityInBytes') ?? (d.has('capacityInKB') ? d.int('capacityInKB') * 1024 : undefined);
  if (op === 'add') {
    const ctrlGiven = d.optInt('controllerKey') ?? 0;
    const ctrl = keys.get(ctrlGiven) ?? ctrlGiven;
    const controller = hw.controllers.find((c) => c.key === ctrl);
    if (!controller) throw DeviceFaults.controller(i, ctrlGiven);
    const units = plan.disks.filter((x) => controllerOfDisk(hw, x.key) === ctrl).map((x) => x.unitNumber);
    const unit = d.optInt('unitNumber') ?? freeKey([...units, SCSI_CONTROLLER_UNIT], 0);
    if (unit < 0 || unit >= MAX_SCSI_UNITS || unit === SCSI_CONTROLLER_UNIT || units.includes(unit)) throw DeviceFaults.spec(i, `unit ${unit} on controller ${ctrl} is taken or out of range`);
    const backing = d.optObj('backing');
    const path = backing ? (new Args(backing).optStr('fileName') ?? '') : '';
    const planned = plan.ops.flatMap((o) => (o.kind === 'create' ? [o.spec.fileName] : []));
    const exists = (f: string) => planned.includes(f) || diskFileExists(engine, f);
    const ds = datastoreOf(engine, vm, path, i);
    let fileName: string;
    let copyOf: string | undefined;
    if (fileOp === 'create') {
      if (bytes === undefined || bytes <= 0) throw DeviceFaults.spec(i, 'a new disk needs a capacity');
      fileName = /^\[[^\]]+\]\s*$/.test(path.trim()) || !path ? nextDiskName(ds, vm.spec.name, exists) : path.trim();
      if (exists(fileName)) throw DeviceFaults.fileExists(fileName);
    } else {
      // Attaching an existing disk file (a restored or detached .vmdk).
      fileName = path.trim();
      if (!fileName || !exists(fileName)) throw DeviceFaults.fileNotFound(fileName || path);
      copyOf = fileName;
    }
    const size = copyOf ? Math.max(bytes ?? 0, engine.world.disks?.byPath(copyOf)?.disk.capacityBytes ?? 0) : bytes!;
    const real = freeKey(plan.disks.map((x) => x.key), 2000);
    keys.set(given, real);
    hw.diskController.set(real, ctrl);
    const spec: DiskSpec = {
      key: real,
      label: `Hard disk ${plan.disks.length + 1}`,
      unitNumber: unit,
      capacityBytes: size,
      allocatedBytes: 0,
      datastore: ds,
      fileName,
      seed: `${engine.world.inventory.seed}:${vm.spec.name}:disk${real}:${randomUUID()}`,
      encrypted: false,
    };
    plan.disks.push(spec);
    plan.ops.push({ kind: 'create', spec, copyOf });
    return;
  }
  const at = plan.disks.findIndex((x) => x.key === key);
  if (at < 0) throw DeviceFaults.spec(i, `no disk with key ${key}`);
  const disk = plan.disks[at]!;
  if (op === 'remove') {
    if (fileOp !== undefined && fileOp !== 'destroy') throw DeviceFaults.operation(i, op, fileOp);
    plan.disks.splice(at, 1);
    hw.diskController.delete(key);
    plan.ops.push({ kind: 'remove', key, destroy: fileOp === 'destroy' });
    return;
  }
  if (fileOp !== undefined) throw DeviceFaults.operation(i, op, fileOp);
  if (bytes !== undefined && bytes !== disk.capacityBytes) {
    // vSphere grows disks only; a smaller capacity is an invalid edit.
    if (bytes < disk.capacityBytes) throw DeviceFaults.operation(i, op);
    if (vm.snapshots.size) throw new VimFault('NotSupported', 'A disk with snapshots cannot be extended; consolidate or delete the snapshots first.');
    plan.ops.push({ kind: 'grow', key, bytes });
  }
}

function datastoreOf(engine: SoapEngine, vm: VmState, path: string, i: number): string {
  const named = /^\s*\[([^\]]+)\]/.exec(path)?.[1];
  const inv = engine.world.inventory;
  const ds = named ?? inv.datastores.find((d) => d.moid === vm.spec.datastore)?.name ?? inv.datastores[0]!.name;
  if (!inv.datastores.some((d) => d.name === ds)) throw DeviceFaults.spec(i, `no datastore named ${ds}`);
  return ds;
}

/** vCenter's names for new disks: "<vm>.vmdk", then "<vm>_1.vmdk", "<vm>_2.vmdk" ... in the VM's folder. */
function nextDiskName(ds: string, vmName: string, exists: (f: string) => boolean): string {
  for (let n = 0; ; n++) {
    const f = `[${ds}] ${vmName}/${vmName}${n === 0 ? '' : `_${n}`}.vmdk`;
    if (!exists(f)) return f;
  }
}

function commit(engine: SoapEngine, vm: VmState, plan: Plan): void {
  const store = engine.world.disks;
  for (const op of plan.ops) {
    if (!store) break;
    if (op.kind === 'create') {
      const from = op.copyOf ? store.byPath(op.copyOf) : undefined;
      store.create(vm.spec.moid, op.spec, { changeTracking: vm.spec.cbtEnabled, from });
      if (from) {
        // The file now belongs to this VM: its orphan entry (a detached disk) goes away.
        if (from.disk.vm.startsWith('orphan:')) store.remove(from.disk.vm);
      }
    } else if (op.kind === 'remove') {
      const disk = store.get(vm.spec.moid, op.key);
      if (disk && !op.destroy) store.create(`orphan:${disk.spec.fileName}`, { ...disk.spec }, { from: { disk, readOnly: false } });
      store.remove(vm.spec.moid, op.key);
    } else {
      store.get(vm.spec.moid, op.key)?.grow(op.bytes);
    }
    if (op.kind === 'grow') plan.disks.find((d) => d.key === op.key)!.capacityBytes = op.bytes;
  }
  vm.spec.disks.splice(0, vm.spec.disks.length, ...plan.disks);
  vm.modified = new Date();
}
