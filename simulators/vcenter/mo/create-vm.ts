import { randomUUID } from 'node:crypto';
import { isXObject, MoRef } from '../../core/codecs/vim25/index.ts';
import type { DiskSpec } from '../../inventory/types.ts';
import type { CallContext } from '../engine.ts';
import { Args } from '../soap/args.ts';
import { Faults, VimFault } from '../soap/faults.ts';
import { vsphereOf } from '../state.ts';
import type { ManagedObject } from '../managed-object.ts';
import { startTask } from './task.ts';
import { postCallEvent } from './event-manager.ts';

/** Folder.CreateVM_Task: the DR-restore path. The new VM joins the shared inventory, powered off. */
export function createVm(folder: ManagedObject, args: Args, call: CallContext): MoRef {
  const engine = call.engine;
  const config = Args.of(args.obj('config'), 'config');
  const pool = args.ref('pool', 'ResourcePool');
  engine.require(pool);
  const hostRef = args.optRef('host', 'HostSystem');
  if (hostRef) engine.require(hostRef);
  const name = config.str('name');
  if (!name.trim()) throw Faults.invalidArgument('config.name');
  const vs = vsphereOf(engine.world);
  const inv = engine.world.inventory;
  if (inv.vms.some((v) => v.name === name)) {
    throw new VimFault('DuplicateName', `The name '${name}' already exists.`, { name, object: folder.ref });
  }
  const files = config.optObj('files');
  const vmPath = files ? new Args(files).optStr('vmPathName') : undefined;
  const dsName = /^\[([^\]]+)\]/.exec(vmPath ?? '')?.[1] ?? inv.datastores[0]!.name;
  const ds = inv.datastores.find((d) => d.name === dsName);
  if (!ds) throw Faults.invalidArgument('config.files.vmPathName', `no datastore named ${dsName}`);
  const host =
    inv.hosts.find((h) => hostRef && engine.layout.hostRef(h.moid).value === hostRef.value) ??
    inv.hosts.find((h) => h.datastores.includes(ds.moid)) ??
    inv.hosts[0]!;
  const disks: DiskSpec[] = [];
  for (const change of config.list('deviceChange')) {
    const c = Args.of(change, 'deviceChange');
    const device = c.raw.device;
    if (!isXObject(device) || device._type !== 'VirtualDisk') continue;
    if (c.optStr('operation') !== 'add') throw Faults.invalidArgument('config.deviceChange.operation');
    const d = new Args(device);
    const bytes = d.optInt('capacityInBytes') ?? (d.optInt('capacityInKB') ?? 0) * 1024;
    if (bytes <= 0) throw Faults.invalidArgument('config.deviceChange.device.capacityInKB');
    const n = disks.length;
    const backing = d.optObj('backing');
    const given = backing ? new Args(backing).optStr('fileName') : undefined;
    disks.push({
      key: 2000 + n,
      label: `Hard disk ${n + 1}`,
      unitNumber: d.optInt('unitNumber') ?? n,
      capacityBytes: bytes,
      allocatedBytes: 0,
      datastore: ds.name,
      fileName: given && given.includes(']') && !given.endsWith('] ') ? given : `[${ds.name}] ${name}/${name}${n === 0 ? '' : '_' + n}.vmdk`,
      seed: `${inv.seed}:${name}:disk${n}:${randomUUID()}`,
      encrypted: false,
    });
  }
  const guestId = config.optStr('guestId') ?? 'otherGuest64';
  return startTask(call, folder, 'Folder.createVm', () => {
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
      disks,
    });
    for (const d of disks) engine.world.disks?.create(vm.spec.moid, d);
    postCallEvent(call, { type: 'VmCreatedEvent', vm, message: `Created virtual machine ${name} on ${host.name} in ${inv.datacenter.name}` });
    return engine.layout.vmRef(vm.spec.moid);
  }, () => name);
}
