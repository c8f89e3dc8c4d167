import { describe, expect, test } from 'vitest';
import { SimDiskStore, createDiskStore } from '../../simulators/disk/index.ts';
import type { DiskSpec, Inventory } from '../../simulators/inventory/types.ts';

/*
 * The lab's disk store: lookup by VM and device key, by datastore path (the live disk or a frozen
 * snapshot, as NFC opens them), creation (duplicates refused, copies, CBT from the start) and
 * removal of one disk or all of a VM's.
 */
const MiB = 1024 ** 2;

function spec(key: number, fileName: string, over: Partial<DiskSpec> = {}): DiskSpec {
  return {
    key, label: `Hard disk ${key - 1999}`, unitNumber: key - 2000, capacityBytes: 4 * MiB, allocatedBytes: MiB,
    datastore: 'datastore1', fileName, seed: fileName, encrypted: false, ...over,
  };
}

describe('SimDiskStore', () => {
  test('get, forVm and all find each disk by VM and key, and nothing else', () => {
    const store = new SimDiskStore();
    const a0 = store.create('vm-a', spec(2000, '[ds] a/a.vmdk'));
    const a1 = store.create('vm-a', spec(2001, '[ds] a/a_1.vmdk'));
    const b0 = store.create('vm-b', spec(2000, '[ds] b/b.vmdk'));
    expect(store.get('vm-a', 2000)).toBe(a0);
    expect(store.get('vm-a', 2001)).toBe(a1);
    expect(store.get('vm-b', 2000)).toBe(b0);
    expect(store.get('vm-b', 2001)).toBeUndefined();
    expect(store.get('vm-c', 2000)).toBeUndefined();
    expect(store.forVm('vm-a')).toEqual([a0, a1]);
    expect(store.forVm('vm-b')).toEqual([b0]);
    expect(store.forVm('vm-c')).toEqual([]);
    expect(store.all()).toEqual([a0, a1, b0]);
    expect(a0.vm).toBe('vm-a');
    expect(a1.key).toBe(2001);
  });

  test('a second disk with the same key on the same VM is refused', () => {
    const store = new SimDiskStore();
    store.create('vm-a', spec(2000, '[ds] a/a.vmdk'));
    expect(() => store.create('vm-a', spec(2000, '[ds] a/other.vmdk'))).toThrow('VM vm-a already has a disk with key 2000');
  });

  test('CBT is off unless asked for; `from` starts the disk as a copy of a view', () => {
    const store = new SimDiskStore();
    const plain = store.create('vm-a', spec(2000, '[ds] a/a.vmdk'));
    expect(plain.changeTrackingEnabled).toBe(false);
    const tracked = store.create('vm-a', spec(2001, '[ds] a/a_1.vmdk'), { changeTracking: true });
    expect(tracked.changeTrackingEnabled).toBe(true);
    const copy = store.create('vm-b', spec(2000, '[ds] b/b.vmdk'), { from: { disk: plain, readOnly: true } });
    expect(copy.checksum()).toBe(plain.checksum());
    expect(copy.checksum()).not.toBe(new SimDiskStore().create('vm-b', spec(2000, '[ds] b/b.vmdk')).checksum());
  });

  test('remove drops one disk by key, or all of a VM\'s, never another VM\'s', () => {
    const store = new SimDiskStore();
    store.create('vm-a', spec(2000, '[ds] a/a.vmdk'));
    const a1 = store.create('vm-a', spec(2001, '[ds] a/a_1.vmdk'));
    const b0 = store.create('vm-b', spec(2000, '[ds] b/b.vmdk'));
    store.remove('vm-a', 2000);
    expect(store.all()).toEqual([a1, b0]);
    expect(store.byPath('[ds] a/a.vmdk')).toBeUndefined();
    store.create('vm-a', spec(2000, '[ds] a/a.vmdk'));
    store.remove('vm-a');
    expect(store.all()).toEqual([b0]);
    store.remove('vm-c');
    expect(store.all()).toEqual([b0]);
  });

  test('byPath: the live disk by its current name, a snapshot by its frozen name, surrounding spaces ignored', () => {
    const store = new SimDiskStore();
    const d = store.create('vm-a', spec(2000, '[ds] a/a.vmdk'));
    expect(store.byPath('  [ds] a/a.vmdk \n')).toEqual({ disk: d, readOnly: false });
    d.freeze('snap-1');
    expect(store.byPath('[ds] a/a.vmdk')).toEqual({ disk: d, snapshotId: 'snap-1', readOnly: true });
    expect(store.byPath('[ds] a/a-000001.vmdk')).toEqual({ disk: d, readOnly: false });
    expect(store.byPath('[ds] a/a-000002.vmdk')).toBeUndefined();
    expect(store.byPath('[ds] b/b.vmdk')).toBeUndefined();
  });
});

describe('createDiskStore', () => {
  test('holds every disk of the inventory, CBT as each VM has it, changeIds carrying the store instance', () => {
    const inventory = {
      vms: [
        { moid: 'vm-1', cbtEnabled: true, disks: [spec(2000, '[ds] one/one.vmdk'), spec(2001, '[ds] one/one_1.vmdk')] },
        { moid: 'vm-2', cbtEnabled: false, disks: [spec(2000, '[ds] two/two.vmdk')] },
      ],
    } as unknown as Inventory;
    const store = createDiskStore(inventory);
    expect(store.all().map((d) => [d.vm, d.key, d.changeTrackingEnabled])).toEqual([
      ['vm-1', 2000, true], ['vm-1', 2001, true], ['vm-2', 2000, false],
    ]);
    expect(store.cbtInstance).toBe('');
    const again = createDiskStore(inventory).get('vm-1', 2000)!.currentChangeId;
    expect(store.get('vm-1', 2000)!.currentChangeId).toBe(again);
    const restarted = createDiskStore(inventory, 'run-2');
    expect(restarted.cbtInstance).toBe('run-2');
    expect(restarted.get('vm-1', 2000)!.currentChangeId).not.toBe(again);
  });
});
