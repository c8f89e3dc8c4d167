import { MoRef } from '../../core/codecs/vim25/index.ts';
import type { SoapEngine } from '../engine.ts';
import type { SnapshotState, VmState } from '../state.ts';
import { vsphereOf } from '../state.ts';
import { Faults } from '../soap/faults.ts';
import { postEvent } from './event-manager.ts';

export function snapshotRef(engine: SoapEngine, s: SnapshotState): MoRef {
  return new MoRef('VirtualMachineSnapshot', engine.naming.snapshot(s.vm, s.id));
}

/** Applies a pending `cbt-reset` fault (optionally aimed at one VM by name) to the VM's disks. */
export function applyCbtReset(engine: SoapEngine, vm: VmState): void {
  const f = engine.peekFault('cbt-reset');
  if (!f || (f.params.vm !== undefined && f.params.vm !== vm.spec.name)) return;
  engine.fault('cbt-reset');
  for (const d of vsphereOf(engine.world).disks(vm)) d.resetCbt();
}

/** Freezes every disk and adds the snapshot under the current one. */
export function takeSnapshot(engine: SoapEngine, vm: VmState, name: string, description: string, quiesced: boolean): SnapshotState {
  const vs = vsphereOf(engine.world);
  applyCbtReset(engine, vm);
  const id = vs.newSnapshotId();
  const diskSnapshotId = `${vm.spec.moid}-snapshot-${id}`;
  const disks = vs.disks(vm).map((d) => ({ key: d.key, ...d.freeze(diskSnapshotId) }));
  const snap: SnapshotState = {
    id,
    vm: vm.spec.moid,
    name,
    description,
    createTime: new Date(),
    quiesced,
    powerState: vm.spec.powerState,
    parent: vm.currentSnapshot,
    children: [],
    diskSnapshotId,
    disks,
  };
  if (vm.currentSnapshot !== undefined) vm.snapshots.get(vm.currentSnapshot)?.children.push(id);
  vm.snapshots.set(id, snap);
  vm.currentSnapshot = id;
  vm.modified = new Date();
  return snap;
}

/** Deletes a snapshot (its children move up unless removed too) and releases its frozen disks. */
export function removeSnapshot(engine: SoapEngine, vm: VmState, id: number, removeChildren: boolean): void {
  const snap = vm.snapshots.get(id);
  if (!snap) throw Faults.notFound(new MoRef('VirtualMachineSnapshot', engine.naming.snapshot(vm.spec.moid, id)));
  if (removeChildren) for (const c of [...snap.children]) removeSnapshot(engine, vm, c, true);
  const disks = vsphereOf(engine.world).disks(vm);
  for (const d of disks) d.release(snap.diskSnapshotId);
  const parent = snap.parent !== undefined ? vm.snapshots.get(snap.parent) : undefined;
  if (parent) parent.children = parent.children.filter((c) => c !== id).concat(snap.children);
  for (const c of snap.children) {
    const child = vm.snapshots.get(c);
    if (child) child.parent = snap.parent;
  }
  vm.snapshots.delete(id);
  if (vm.currentSnapshot === id) vm.currentSnapshot = snap.parent;
  vm.modified = new Date();
}

export function revertSnapshot(engine: SoapEngine, vm: VmState, id: number, userName = ''): void {
  const snap = vm.snapshots.get(id);
  if (!snap) throw Faults.notFound(new MoRef('VirtualMachineSnapshot', engine.naming.snapshot(vm.spec.moid, id)));
  for (const d of vsphereOf(engine.world).disks(vm)) d.revert(snap.diskSnapshotId);
  vm.currentSnapshot = id;
  vm.spec.powerState = snap.powerState === 'poweredOn' ? 'poweredOn' : 'poweredOff';
  vm.modified = new Date();
  postEvent(engine, {
    type: 'EventEx',
    eventTypeId: 'com.vmware.vc.vm.VmStateRevertedToSnapshot',
    vm,
    userName,
    message: `The execution state of the virtual machine ${vm.spec.name} has been reverted to the state of snapshot ${snap.name}, with ID ${snap.id}`,
    fields: { severity: 'info' },
  });
}
