import { data, type DataObject, type MoRef } from '../../core/codecs/vim25/index.ts';
import { CbtError } from '../../disk/contract.ts';
import type { CallContext, SoapEngine } from '../engine.ts';
import { Args } from '../soap/args.ts';
import { Faults, VimFault } from '../soap/faults.ts';
import { vsphereOf, type SnapshotState, type VmState } from '../state.ts';
import { ManagedEntity } from './entity.ts';
import { startTask } from './task.ts';
import { after } from '../../timing.ts';
import { applyCbtReset, removeSnapshot, revertSnapshot, snapshotRef, takeSnapshot } from './snapshot-ops.ts';
import { hostName, postCallEvent, postEvent } from './event-manager.ts';
import { vmConfigInfo, vmxPathOf, type DiskBacking } from './vm-devices.ts';
import { hardwareOf, isTemplate } from './vm-hardware.ts';
import { applyDeviceChanges } from './device-change.ts';
import { applyOptions, readOptions } from './option-values.ts';
import { cloneVm } from './clone-vm.ts';
import { unregisterVm } from './vm-files.ts';
import { exportVm, LEASE_LOCKS } from './http-nfc-lease.ts';
import type { PowerState } from '../../inventory/types.ts';

const GUEST_FAMILY = { windowsGuest: 'windowsGuest', linuxGuest: 'linuxGuest' } as const;

/** A VirtualMachine: properties computed from the shared VM state, operations as vCenter runs them. */
export class VirtualMachine extends ManagedEntity {
  constructor(
    engine: SoapEngine,
    readonly vm: VmState,
  ) {
    super(engine, 'VirtualMachine', engine.naming.vm(vm.spec.moid), () => vm.spec.name, () => engine.layout.vmFolder);
    const s = vm.spec;
    this.expose({
      config: () => vmConfigInfo(engine, vm, () => this.liveBackings()),
      runtime: () => this.runtime(),
      guest: () => this.guest(),
      summary: () => this.summary(),
      snapshot: () => this.snapshotInfo(),
      rootSnapshot: () => this.roots().map((r) => snapshotRef(engine, r)),
      datastore: () => [engine.layout.datastoreRef(s.datastore)],
      network: () => (engine.layout.network ? [engine.layout.network] : []),
      resourcePool: () => engine.layout.poolOf(s.host),
      guestHeartbeatStatus: () => (this.toolsRunning ? 'green' : 'gray'),
      capability: () => data('VirtualMachineCapability', { snapshotOperationsSupported: true, multipleSnapshotsSupported: true, snapshotConfigSupported: true, diskSharesSupported: true, changeTrackingSupported: true }),
    });
    this.exposeHotPaths();
  }

  /** Paths inventory listings read for thousands of VMs at once. */
  private exposeHotPaths(): void {
    const s = this.vm.spec;
    this.exposePaths({
      'config.name': () => s.name,
      'config.uuid': () => s.uuid,
      'config.instanceUuid': () => s.instanceUuid,
      'config.guestId': () => s.guestId,
      'config.guestFullName': () => s.guestFullName,
      'config.template': () => isTemplate(this.vm),
      'config.changeTrackingEnabled': () => s.cbtEnabled,
      'runtime.powerState': () => s.powerState,
      'runtime.connectionState': () => 'connected',
      'runtime.host': () => this.engine.layout.hostRef(s.host),
      'summary.config.name': () => s.name,
      'summary.config.uuid': () => s.uuid,
      'summary.config.instanceUuid': () => s.instanceUuid,
      'summary.runtime.powerState': () => s.powerState,
    });
  }

  override alive(): boolean {
    return this.engine.world.vsphere?.vm(this.vm.spec.moid) === this.vm;
  }

  get toolsRunning(): boolean {
    return this.vm.spec.toolsRunning && this.vm.spec.powerState === 'poweredOn';
  }

  /** Live disk backings from the disk model (the spec's names when no model is loaded). */
  private liveBackings(): DiskBacking[] {
    if (!this.engine.world.disks) return this.vm.spec.disks.map((d) => ({ key: d.key, fileName: d.fileName, changeId: undefined }));
    return vsphereOf(this.engine.world).disks(this.vm).map((d) => ({ key: d.key, fileName: d.currentFileName, changeId: d.currentChangeId }));
  }

  private roots(): SnapshotState[] {
    return [...this.vm.snapshots.values()].filter((x) => x.parent === undefined);
  }

  private runtime(): DataObject {
    const s = this.vm.spec;
    return data('VirtualMachineRuntimeInfo', {
      host: this.engine.layout.hostRef(s.host),
      connectionState: 'connected',
      powerState: s.powerState,
      faultToleranceState: 'notConfigured',
      toolsInstallerMounted: false,
      bootTime: s.powerState === 'poweredOn' ? this.vm.bootTime : undefined,
      numMksConnections: 0,
      onlineStandby: false,
      consolidationNeeded: false,
    });
  }

  private guest(): DataObject {
    const s = this.vm.spec;
    const on = this.toolsRunning;
    return data('GuestInfo', {
      toolsStatus: on ? 'toolsOk' : 'toolsNotRunning',
      toolsVersionStatus2: 'guestToolsCurrent',
      toolsRunningStatus: on ? 'guestToolsRunning' : 'guestToolsNotRunning',
      toolsVersion: '12389',
      guestId: on ? s.guestId : undefined,
      guestFamily: on ? GUEST_FAMILY[s.guestFamily] : undefined,
      guestFullName: on ? s.guestFullName : undefined,
      hostName: on ? s.hostname : undefined,
      ipAddress: on && s.ip ? s.ip : undefined,
      net: on && s.ip ? [data('GuestNicInfo', { network: 'VM Network', ipAddress: [s.ip], macAddress: undefined, connected: true, deviceConfigId: 4000 })] : [],
      guestState: on ? 'running' : 'notRunning',
      guestOperationsReady: on,
      interactiveGuestOperationsReady: false,
    });
  }

  private summary(): DataObject {
    const s = this.vm.spec;
    const on = this.toolsRunning;
    const committed = s.disks.reduce((n, d) => n + d.allocatedBytes, 0);
    return data('VirtualMachineSummary', {
      vm: this.ref,
      runtime: this.runtime(),
      guest: data('VirtualMachineGuestSummary', {
        guestId: s.guestId,
        guestFullName: s.guestFullName,
        toolsStatus: on ? 'toolsOk' : 'toolsNotRunning',
        toolsVersionStatus2: 'guestToolsCurrent',
        toolsRunningStatus: on ? 'guestToolsRunning' : 'guestToolsNotRunning',
        hostName: on ? s.hostname : undefined,
        ipAddress: on && s.ip ? s.ip : undefined,
      }),
      config: data('VirtualMachineConfigSummary', {
        name: s.name,
        template: hardwareOf(this.vm).template,
        vmPathName: vmxPathOf(this.vm),
        annotation: hardwareOf(this.vm).annotation || undefined,
        memorySizeMB: s.memoryMB,
        numCpu: s.numCpu,
        numEthernetCards: hardwareOf(this.vm).nics.length,
        numVirtualDisks: s.disks.length,
        uuid: s.uuid,
        instanceUuid: s.instanceUuid,
        guestId: s.guestId,
        guestFullName: s.guestFullName,
      }),
      storage: data('VirtualMachineStorageSummary', { committed, uncommitted: s.disks.reduce((n, d) => n + d.capacityBytes, 0) - committed, unshared: committed, timestamp: this.vm.modified }),
      quickStats: data('VirtualMachineQuickStats', { overallCpuUsage: 0, guestMemoryUsage: 0, guestHeartbeatStatus: on ? 'green' : 'gray', uptimeSeconds: 0 }),
      overallStatus: 'green',
    });
  }

  private snapshotInfo(): DataObject | undefined {
    if (!this.vm.snapshots.size) return undefined;
    const tree = (x: SnapshotState): DataObject =>
      data('VirtualMachineSnapshotTree', {
        snapshot: snapshotRef(this.engine, x),
        vm: this.ref,
        name: x.name,
        description: x.description,
        id: x.id,
        createTime: x.createTime,
        state: x.powerState,
        quiesced: x.quiesced,
        childSnapshotList: x.children.map((c) => this.vm.snapshots.get(c)).filter((c): c is SnapshotState => !!c).map(tree),
        replaySupported: false,
      });
    const current = this.vm.currentSnapshot !== undefined ? this.vm.snapshots.get(this.vm.currentSnapshot) : undefined;
    return data('VirtualMachineSnapshotInfo', {
      currentSnapshot: current && snapshotRef(this.engine, current),
      rootSnapshotList: this.roots().map(tree),
    });
  }

  /** One operation at a time changes the snapshot tree; a second one gets InvalidState. */
  private hold(what: string): () => void {
    if (this.vm.busy) throw Faults.invalidState(`Another task is already in progress (${this.vm.busy}).`);
    this.vm.busy = what;
    return () => {
      this.vm.busy = undefined;
    };
  }

  private task(call: CallContext, descriptionId: string, work: () => unknown): MoRef {
    return startTask(call, this, descriptionId, work, () => this.vm.spec.name);
  }

  CreateSnapshot_Task(args: Args, call: CallContext): MoRef {
    const name = args.str('name');
    const description = args.optStr('description') ?? '';
    const memory = args.bool('memory');
    const quiesce = args.bool('quiesce');
    const release = this.hold('CreateSnapshot_Task');
    const engine = this.engine;
    return this.task(call, 'VirtualMachine.createSnapshot', async () => {
      try {
        const stuck = engine.peekFault('snapshot-stuck');
        if (stuck) await engine.untilCleared(stuck.id);
        if (quiesce && this.vm.spec.powerState === 'poweredOn') {
          if (!this.toolsRunning) throw Faults.toolsUnavailable();
          if (engine.fault('snapshot-quiesce-failure')) throw Faults.applicationQuiesce();
        }
        void memory;
        return snapshotRef(engine, takeSnapshot(engine, this.vm, name, description, quiesce && this.vm.spec.powerState === 'poweredOn'));
      } finally {
        release();
      }
    });
  }

  RemoveAllSnapshots_Task(_args: Args, call: CallContext): MoRef {
    return this.task(call, 'VirtualMachine.removeAllSnapshots', () => {
      for (const r of this.roots()) removeSnapshot(this.engine, this.vm, r.id, true);
    });
  }

  RevertToCurrentSnapshot_Task(_args: Args, call: CallContext): MoRef {
    const current = this.vm.currentSnapshot;
    if (current === undefined) throw new VimFault('NotFound', 'The virtual machine has no current snapshot.');
    return this.task(call, 'VirtualMachine.revertToCurrentSnapshot', () => revertSnapshot(this.engine, this.vm, current, call.session?.userName));
  }

  QueryChangedDiskAreas(args: Args): DataObject {
    const snapRef = args.optRef('snapshot', 'VirtualMachineSnapshot');
    const deviceKey = args.int('deviceKey');
    const startOffset = args.int('startOffset');
    const changeId = args.str('changeId');
    if (!snapRef) throw Faults.invalidArgument('snapshot', 'a snapshot is required to query changed areas');
    const id = this.engine.naming.snapshotFromId(snapRef.value);
    const snap = id === undefined ? undefined : this.vm.snapshots.get(id);
    if (!snap) {
      if (id !== undefined && vsphereOf(this.engine.world).snapshotById(id)) throw Faults.invalidArgument('snapshot', 'the snapshot belongs to another virtual machine');
      throw Faults.notFound(snapRef);
    }
    const disk = vsphereOf(this.engine.world).disk(this.vm, deviceKey);
    if (!disk) throw Faults.invalidArgument('deviceKey');
    const backing = snap.disks.find((d) => d.key === deviceKey);
    const file = backing?.fileName ?? disk.spec.fileName;
    if (!this.vm.spec.cbtEnabled || !disk.changeTrackingEnabled) {
      throw Faults.fileFault(file.replace(/\.vmdk$/, '-ctk.vmdk'), `Error caused by file ${file}: change tracking is not enabled on this disk`);
    }
    if (startOffset < 0 || startOffset >= disk.capacityBytes) throw Faults.invalidArgument('startOffset');
    applyCbtReset(this.engine, this.vm);
    try {
      const r = disk.queryChangedAreas(snap.diskSnapshotId, startOffset, changeId);
      return data('DiskChangeInfo', {
        startOffset: r.startOffset,
        length: r.length,
        changedArea: r.changedArea.map((e) => data('DiskChangeExtent', { start: e.start, length: e.length })),
      });
    } catch (err) {
      if (err instanceof CbtError || (err as { fault?: string }).fault === 'FileFault') {
        throw Faults.fileFault((err as CbtError).file ?? file, `Error caused by file ${(err as CbtError).file ?? file}: ${(err as Error).message}`);
      }
      throw err;
    }
  }

  ReconfigVM_Task(args: Args, call: CallContext): MoRef {
    const spec = Args.of(args.obj('spec'), 'spec');
    const cbt = spec.raw.changeTrackingEnabled === undefined ? undefined : spec.bool('changeTrackingEnabled');
    const name = spec.optStr('name');
    const numCpus = spec.optInt('numCPUs');
    const memoryMB = spec.optInt('memoryMB');
    const annotation = spec.optStr('annotation');
    const extraConfig = readOptions(spec.list('extraConfig'));
    const changes = spec.list('deviceChange');
    if (numCpus !== undefined && numCpus < 1) throw Faults.invalidArgument('spec.numCPUs');
    if (memoryMB !== undefined && memoryMB < 4) throw Faults.invalidArgument('spec.memoryMB');
    return this.task(call, 'VirtualMachine.reconfigure', () => {
      const s = this.vm.spec;
      const hw = hardwareOf(this.vm);
      if (changes.length) applyDeviceChanges(this.engine, this.vm, hw, changes);
      if (cbt !== undefined) {
        for (const d of vsphereOf(this.engine.world).disks(this.vm)) d.setChangeTracking(cbt);
        s.cbtEnabled = cbt;
      }
      if (name) s.name = name;
      if (numCpus) s.numCpu = numCpus;
      if (memoryMB) s.memoryMB = memoryMB;
      if (annotation !== undefined) hw.annotation = annotation;
      applyOptions(hw.extraConfig, extraConfig);
      this.vm.modified = new Date();
      postCallEvent(call, { type: 'VmReconfiguredEvent', vm: this.vm, message: `Reconfigured ${s.name} on ${hostName(this.engine, s.host)} in ${this.engine.world.inventory.datacenter.name}`, fields: { configSpec: { ...spec.raw, _type: 'VirtualMachineConfigSpec' } } });
    });
  }

  /** Power changes check the state inside the task: a wrong state is the task's error, as on vCenter. */
  private powerTask(call: CallContext, descriptionId: string, allowed: PowerState[], requested: PowerState, to: (from: PowerState) => Promise<void>): MoRef {
    return this.task(call, descriptionId, async () => {
      const now = this.vm.spec.powerState;
      if (hardwareOf(this.vm).template) throw new VimFault('NotSupported', 'The operation is not supported on the object (a template).');
      if (this.vm.busy && LEASE_LOCKS.has(this.vm.busy)) throw Faults.invalidState(`The virtual machine is locked by ${this.vm.busy}.`);
      if (!allowed.includes(now)) throw Faults.invalidPowerState(requested, now);
      await to(now);
    });
  }

  PowerOnVM_Task(_args: Args, call: CallContext): MoRef {
    return this.powerTask(call, 'VirtualMachine.powerOn', ['poweredOff', 'suspended'], 'poweredOn', () => this.setPower('poweredOn', call.session?.userName));
  }

  PowerOffVM_Task(_args: Args, call: CallContext): MoRef {
    return this.powerTask(call, 'VirtualMachine.powerOff', ['poweredOn', 'suspended'], 'poweredOff', () => this.setPower('poweredOff', call.session?.userName));
  }

  SuspendVM_Task(_args: Args, call: CallContext): MoRef {
    return this.powerTask(call, 'VirtualMachine.suspend', ['poweredOn'], 'poweredOn', () => this.setPower('suspended', call.session?.userName));
  }

  ResetVM_Task(_args: Args, call: CallContext): MoRef {
    return this.powerTask(call, 'VirtualMachine.reset', ['poweredOn'], 'poweredOn', () => this.restartGuest());
  }

  /** Guest power operations ask Tools and return at once; the guest gets there a moment later. */
  private guestPower(to: () => Promise<void>): void {
    const now = this.vm.spec.powerState;
    if (now !== 'poweredOn') throw Faults.invalidPowerState('poweredOn', now);
    if (!this.toolsRunning) throw Faults.toolsUnavailable();
    after(this.engine.options.taskDelays?.runMs ?? this.engine.timing.guestPowerMs, () => void to().catch(() => {}));
  }

  ShutdownGuest(): void {
    this.guestPower(() => this.setPower('poweredOff'));
  }

  StandbyGuest(): void {
    this.guestPower(() => this.setPower('suspended'));
  }

  RebootGuest(): void {
    this.guestPower(() => this.restartGuest());
  }

  /** A reset or guest reboot: the VM stays poweredOn (as vSphere reports it), the guest starts again. */
  private async restartGuest(): Promise<void> {
    this.vm.bootTime = new Date();
    this.vm.modified = new Date();
    this.engine.changed();
    await this.engine.world.guests?.powerChanged(this.vm.spec.moid, false);
    if (this.vm.spec.powerState === 'poweredOn') await this.engine.world.guests?.powerChanged(this.vm.spec.moid, true);
  }

  private async setPower(to: PowerState, userName = ''): Promise<void> {
    this.vm.spec.powerState = to;
    this.vm.bootTime = to === 'poweredOn' ? new Date() : undefined;
    this.vm.modified = new Date();
    this.engine.changed();
    const type = { poweredOn: 'VmPoweredOnEvent', poweredOff: 'VmPoweredOffEvent', suspended: 'VmSuspendedEvent' }[to];
    postEvent(this.engine, { userName, type, vm: this.vm, message: `${this.vm.spec.name} on ${hostName(this.engine, this.vm.spec.host)} in ${this.engine.world.inventory.datacenter.name} is ${to === 'suspended' ? 'suspended' : `powered ${to === 'poweredOn' ? 'on' : 'off'}`}` });
    await this.engine.world.guests?.powerChanged(this.vm.spec.moid, to === 'poweredOn');
  }

  CloneVM_Task(args: Args, call: CallContext): MoRef {
    // A standalone host cannot clone (vCenter does it); hostd answers NotSupported.
    if (this.engine.flavor === 'esxi') throw new VimFault('NotSupported', 'The operation is not supported on the object.');
    return cloneVm(this, args, call);
  }

  MarkAsTemplate(): void {
    const hw = hardwareOf(this.vm);
    if (this.vm.spec.powerState !== 'poweredOff') throw Faults.invalidPowerState('poweredOff', this.vm.spec.powerState);
    if (hw.template) throw new VimFault('NotSupported', 'The virtual machine is already a template.');
    hw.template = true;
    this.vm.modified = new Date();
  }

  MarkAsVirtualMachine(args: Args): void {
    const pool = args.ref('pool', 'ResourcePool');
    this.engine.require(pool);
    const hostRef = args.optRef('host', 'HostSystem');
    if (hostRef) this.engine.require(hostRef);
    const hw = hardwareOf(this.vm);
    if (!hw.template) throw new VimFault('NotSupported', 'The virtual machine is not a template.');
    hw.template = false;
    this.vm.modified = new Date();
  }

  UnregisterVM(): void {
    if (this.vm.spec.powerState !== 'poweredOff') throw Faults.invalidPowerState('poweredOff', this.vm.spec.powerState);
    unregisterVm(this.engine, this.vm);
    this.engine.unregister(this.ref);
  }

  ExportVm(_args: Args, call: CallContext): MoRef {
    return exportVm(this, call);
  }

  Destroy_Task(_args: Args, call: CallContext): MoRef {
    return this.task(call, 'VirtualMachine.destroy', () => {
      if (this.vm.spec.powerState !== 'poweredOff') throw Faults.invalidPowerState('poweredOff', this.vm.spec.powerState);
      this.engine.world.disks?.remove(this.vm.spec.moid);
      postEvent(this.engine, { userName: call.session?.userName ?? '', type: 'VmRemovedEvent', vm: this.vm, message: `Removed ${this.vm.spec.name} on ${hostName(this.engine, this.vm.spec.host)} from ${this.engine.world.inventory.datacenter.name}` });
      vsphereOf(this.engine.world).removeVm(this.vm.spec.moid);
      this.engine.unregister(this.ref);
    });
  }
}
