import type { MoRef } from '../../core/codecs/vim25/index.ts';
import type { DiskView } from '../../disk/contract.ts';
import type { CallContext } from '../engine.ts';
import { Args } from '../soap/args.ts';
import { Faults, VimFault } from '../soap/faults.ts';
import { vsphereOf } from '../state.ts';
import type { ManagedObject } from '../managed-object.ts';
import { startTask } from './task.ts';
import { hardwareOf } from './vm-hardware.ts';
import { addVmFrom, hostMoidOf, unregisteredVms } from './vm-files.ts';
import { vmxPathOf } from './vm-devices.ts';
import { applyOptions, readOptions } from './option-values.ts';
import type { VirtualMachine } from './virtual-machine.ts';

/** The host and datastore a relocate spec names (the engine's ids), or the source VM's. */
function placement(source: VirtualMachine, location: Args | undefined): { host: string; datastore: string } {
  const engine = source.engine;
  const hostRef = location?.optRef('host', 'HostSystem');
  const dsRef = location?.optRef('datastore', 'Datastore');
  const poolRef = location?.optRef('pool', 'ResourcePool');
  for (const r of [hostRef, dsRef, poolRef]) if (r) engine.require(r);
  const host = hostRef ? hostMoidOf(engine, hostRef)! : source.vm.spec.host;
  const datastore = dsRef?.value ?? source.vm.spec.datastore;
  return { host, datastore };
}

/** VirtualMachine.CloneVM_Task: a full copy whose disks start with the source's bytes (or a snapshot's). */
export function cloneVm(source: VirtualMachine, args: Args, call: CallContext): MoRef {
  const engine = source.engine;
  const folder = engine.require(args.ref('folder', 'Folder'));
  const name = args.str('name');
  const spec = Args.of(args.obj('spec'), 'spec');
  const location = spec.optObj('location') ? new Args(spec.obj('location')) : undefined;
  const snapRef = spec.optRef('snapshot', 'VirtualMachineSnapshot');
  const powerOn = spec.bool('powerOn', false);
  const template = spec.bool('template', false);
  const config = spec.optObj('config') ? new Args(spec.obj('config')) : undefined;
  const extraConfig = readOptions(config?.list('extraConfig') ?? []);
  const annotation = config?.optStr('annotation');
  if (!name.trim()) throw Faults.invalidArgument('name');
  if ((folder as { childType?: string[] }).childType?.includes('VirtualMachine') === false) throw new VimFault('NotSupported', 'The operation is not supported on the object.');
  const where = placement(source, location);
  return startTask(call, source, 'VirtualMachine.clone', async () => {
    const vs = vsphereOf(engine.world);
    if (engine.world.inventory.vms.some((v) => v.name === name)) throw new VimFault('DuplicateName', `The name '${name}' already exists.`, { name, object: folder.ref });
    if (template && powerOn) throw Faults.invalidArgument('spec.powerOn', 'a template cannot be powered on');
    const src = source.vm;
    let snapshotId: string | undefined;
    if (snapRef) {
      const id = engine.naming.snapshotFromId(snapRef.value);
      const snap = id === undefined ? undefined : src.snapshots.get(id);
      if (!snap) throw Faults.invalidArgument('spec.snapshot', 'the snapshot does not belong to this virtual machine');
      snapshotId = snap.diskSnapshotId;
    }
    const disks = engine.world.disks ? vs.disks(src) : [];
    const vm = addVmFrom(engine, src.spec, hardwareOf(src), {
      name,
      ...where,
      template,
      keepFileNames: false,
      newIdentity: true,
      diskFrom: (d): DiskView | undefined => {
        const disk = disks.find((x) => x.key === d.key);
        return disk && { disk, snapshotId, readOnly: snapshotId !== undefined };
      },
    });
    const hw = hardwareOf(vm);
    if (annotation !== undefined) hw.annotation = annotation;
    applyOptions(hw.extraConfig, extraConfig);
    if (config?.optInt('numCPUs')) vm.spec.numCpu = config.int('numCPUs');
    if (config?.optInt('memoryMB')) vm.spec.memoryMB = config.int('memoryMB');
    if (powerOn) {
      vm.spec.powerState = 'poweredOn';
      vm.bootTime = new Date();
      await engine.world.guests?.powerChanged(vm.spec.moid, true);
    }
    return engine.layout.vmRef(vm.spec.moid);
  }, () => source.vm.spec.name);
}

/** Folder.RegisterVM_Task: a VM whose files were left by UnregisterVM joins the inventory again. */
export function registerVm(folder: ManagedObject, args: Args, call: CallContext): MoRef {
  const engine = call.engine;
  const path = args.str('path').trim();
  const name = args.optStr('name');
  const asTemplate = args.bool('asTemplate');
  const poolRef = args.optRef('pool', 'ResourcePool');
  const hostRef = args.optRef('host', 'HostSystem');
  for (const r of [poolRef, hostRef]) if (r) engine.require(r);
  if (!asTemplate && !poolRef) throw Faults.invalidArgument('pool', 'a pool is required unless registering a template');
  return startTask(call, folder, 'Folder.registerVm', async () => {
    const files = unregisteredVms(engine.world);
    const entry = files.get(path);
    const inv = engine.world.inventory;
    if (!entry) {
      if ([...vsphereOf(engine.world).vms.values()].some((v) => vmxPathOf(v) === path)) throw new VimFault('AlreadyExists', `The specified key, name, or identifier '${path}' already exists.`, { name: path });
      throw new VimFault('NotFound', `The object or item referred to could not be found: ${path}`);
    }
    const newName = name?.trim() || entry.spec.name;
    if (inv.vms.some((v) => v.name === newName)) throw new VimFault('DuplicateName', `The name '${newName}' already exists.`, { name: newName, object: folder.ref });
    const host = hostRef ? hostMoidOf(engine, hostRef)! : entry.spec.host;
    const store = engine.world.disks;
    const vm = addVmFrom(engine, entry.spec, entry.hw, {
      name: newName,
      host,
      datastore: entry.spec.datastore,
      template: asTemplate,
      keepFileNames: true,
      newIdentity: false,
      diskFrom: (d) => {
        const disk = store?.get(entry.spec.moid, d.key);
        return disk && { disk, readOnly: false };
      },
    });
    // The files now belong to the registered VM; the old id's disks are gone.
    store?.remove(entry.spec.moid);
    files.delete(path);
    return engine.layout.vmRef(vm.spec.moid);
  }, () => name);
}
