import { type MoRef } from '../../core/codecs/vim25/index.ts';
import type { CallContext, SoapEngine } from '../engine.ts';
import { ManagedObject } from '../managed-object.ts';
import type { Args } from '../soap/args.ts';
import type { SnapshotState, VmState } from '../state.ts';
import { startTask } from './task.ts';
import { removeSnapshot, revertSnapshot, snapshotRef } from './snapshot-ops.ts';
import { vmConfigInfo } from './vm-devices.ts';

/** VirtualMachineSnapshot: its own config with the disk backings (and changeIds) it froze. */
export class VirtualMachineSnapshot extends ManagedObject {
  constructor(
    engine: SoapEngine,
    readonly vm: VmState,
    readonly snap: SnapshotState,
  ) {
    super(engine, 'VirtualMachineSnapshot', engine.naming.snapshot(vm.spec.moid, snap.id), ['ExtensibleManagedObject']);
    this.expose({
      config: () => vmConfigInfo(engine, vm, () => snap.disks),
      childSnapshot: () => snap.children.map((c) => vm.snapshots.get(c)).filter((c): c is SnapshotState => !!c).map((c) => snapshotRef(engine, c)),
      vm: () => engine.layout.vmRef(vm.spec.moid),
      availableField: () => [],
      value: () => [],
    });
  }

  override alive(): boolean {
    return this.vm.snapshots.get(this.snap.id) === this.snap && this.engine.world.vsphere?.vm(this.vm.spec.moid) === this.vm;
  }

  private get vmEntity(): ManagedObject | undefined {
    return this.engine.lookup(this.engine.layout.vmRef(this.vm.spec.moid));
  }

  RemoveSnapshot_Task(args: Args, call: CallContext): MoRef {
    const removeChildren = args.bool('removeChildren', false);
    return startTask(call, this.vmEntity, 'vm.Snapshot.remove', () => {
      removeSnapshot(this.engine, this.vm, this.snap.id, removeChildren);
      this.engine.unregister(this.ref);
      return undefined;
    }, () => this.vm.spec.name);
  }

  RevertToSnapshot_Task(_args: Args, call: CallContext): MoRef {
    return startTask(call, this.vmEntity, 'vm.Snapshot.revert', () => revertSnapshot(this.engine, this.vm, this.snap.id, call.session?.userName), () => this.vm.spec.name);
  }

  RenameSnapshot(args: Args): void {
    const name = args.optStr('name');
    const description = args.optStr('description');
    if (name !== undefined) this.snap.name = name;
    if (description !== undefined) this.snap.description = description;
    this.engine.changed();
  }
}
