import { randomUUID } from 'node:crypto';
import { MoRef } from '../../core/codecs/vim25/index.ts';
import type { CallContext, SoapEngine } from '../engine.ts';
import { Args } from '../soap/args.ts';
import { Faults, VimFault } from '../soap/faults.ts';
import { vsphereOf, type VmState } from '../state.ts';
import type { ManagedObject } from '../managed-object.ts';
import { startTask } from './task.ts';
import { hostName, postCallEvent } from './event-manager.ts';
import { hostMoidOf } from './vm-files.ts';
import { applyDeviceChanges } from './device-change.ts';
import { emptyHardware, setHardware } from './vm-hardware.ts';
import { applyOptions, readOptions } from './option-values.ts';

/** Folder.CreateVM_Task: the DR-restore path. The new VM joins the shared inventory, powered off. */
export function createVm(folder: ManagedObject, args: Args, call: CallContext): MoRef {
  const config = Args.of(args.obj('config'), 'config');
  const pool = args.ref('pool', 'ResourcePool');
  call.engine.require(pool);
  const hostRef = args.optRef('host', 'HostSystem');
  const make = vmMaker(call.engine, folder, config, hostRef);
  return startTask(call, folder, 'Folder.createVm', () => {
    const vm = make();
    const engine = call.engine;
    postCallEvent(call, { type: 'VmCreatedEvent', vm, message: `Created virtual machine ${vm.spec.name} on ${hostName(engine, vm.spec.host)} in ${engine.world.inventory.datacenter.name}` });
    return engine.layout.vmRef(vm.spec.moid);
  }, () => config.optStr('name'));
}

/**
 * Checks a VirtualMachineConfigSpec's placement now and returns what makes the VM (in a task for
 * CreateVM_Task; at once for ImportVApp). Device faults come from the maker, as task errors.
 */
export function vmMaker(engine: SoapEngine, folder: ManagedObject, config: Args, hostRef: MoRef | undefined): () => VmState {
  if (hostRef) engine.require(hostRef);
  const name = config.str('name');
  if (!name.trim()) throw Faults.invalidArgument('config.name');
  const vs = vsphereOf(engine.world);
  const inv = engine.world.inventory;
  const files = config.optObj('files');
  const vmPath = files ? new Args(files).optStr('vmPathName') : undefined;
  const dsName = /^\[([^\]]+)\]/.exec(vmPath ?? '')?.[1] ?? inv.datastores[0]!.name;
  const ds = inv.datastores.find((d) => d.name === dsName);
  if (!ds) throw Faults.invalidArgument('config.files.vmPathName', `no datastore named ${dsName}`);
  // A host agent places VMs on itself; vCenter on the given host or one that has the datastore.
  const own = engine.flavor === 'esxi' ? hostMoidOf(engine, new MoRef('HostSystem', 'ha-host')) : undefined;
  const given = hostRef && hostMoidOf(engine, hostRef);
  const host =
    inv.hosts.find((h) => h.moid === (own ?? given)) ??
    inv.hosts.find((h) => h.datastores.includes(ds.moid)) ??
    inv.hosts[0]!;
  const guestId = config.optStr('guestId') ?? 'otherGuest64';
  const annotation = config.optStr('annotation') ?? '';
  const extraConfig = readOptions(config.list('extraConfig'));
  const changes = config.list('deviceChange');
  return () => {
    if (inv.vms.some((v) => v.name === name)) {
      throw new VimFault('DuplicateName', `The name '${name}' already exists.`, { name, object: folder.ref });
    }
    const vm = vs.addVm({
      name,
      uuid: randomUUID(),
      instanceUuid: randomUUID(),
      guestFamily: /win/i.test(guestId) ? 'windowsGuest' : 'linuxGuest',
      guestId,
      guestFullName: guestId,
      // Like DHCP on the VM network: the guest answers on its own lab address once powered on.
      ip: engine.world.addressOf?.(`guest-${name}`) ?? '',
      hostname: `${name}.${engine.options.hostname.split('.').slice(1).join('.') || 'lab.test'}`,
      toolsRunning: true,
      powerState: 'poweredOff',
      host: host.moid,
      datastore: ds.moid,
      cbtEnabled: config.raw.changeTrackingEnabled !== undefined && config.bool('changeTrackingEnabled'),
      numCpu: config.optInt('numCPUs') ?? 1,
      memoryMB: config.optInt('memoryMB') ?? 1024,
      disks: [],
    });
    // A new VM has only the devices its spec adds (no default controller or NIC, as on vCenter).
    const hw = emptyHardware();
    hw.annotation = annotation;
    applyOptions(hw.extraConfig, extraConfig);
    setHardware(vm, hw);
    try {
      applyDeviceChanges(engine, vm, hw, changes);
    } catch (err) {
      vs.removeVm(vm.spec.moid);
      throw err;
    }
    return vm;
  };
}
