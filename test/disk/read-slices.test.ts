import { expect, test } from 'vitest';
import { SimDiskStore } from '../../simulators/disk/index.ts';

const MiB = 1024 ** 2;

// The NFC server sends readSlices' buffers as they are, so they must be the very bytes readInto
// gives, for every kind of run (keystream, written data, written zeros, unallocated) and for
// ranges that start and end anywhere, not only on cipher blocks or segment edges.
test('readSlices gives the same bytes as readInto over keystream, written, zeroed and unallocated runs', () => {
  const store = new SimDiskStore();
  const disk = store.create('vm-slices', {
    key: 2000, label: 'Hard disk 1', unitNumber: 0, capacityBytes: 8 * MiB, allocatedBytes: 3 * MiB,
    datastore: 'datastore1', fileName: '[datastore1] s/s.vmdk', seed: 'slices', encrypted: false,
  });
  const view = { disk, readOnly: false };
  disk.write(view, MiB + 4096, Buffer.alloc(8192, 0x5a));
  disk.write(view, 2 * MiB, Buffer.alloc(4096, 0));
  disk.guestWrite({ percent: 10, extents: 3 });
  const ranges = [[0, 4 * MiB], [7, 1000], [MiB + 4000, 10_000], [2 * MiB - 5, 5000], [3 * MiB - 3, MiB + 11], [5 * MiB, 512]];
  for (const [offset, length] of ranges) {
    const want = Buffer.alloc(length!);
    disk.readInto(view, offset!, want, 0, length!);
    const slices = disk.readSlices(view, offset!, length!);
    expect(slices.every((s) => s.length > 0 && s.length <= MiB)).toBe(true);
    expect(Buffer.concat(slices).equals(want), `range ${offset}+${length}`).toBe(true);
  }
  expect(() => disk.readSlices(view, 8 * MiB - 512, 1024)).toThrow();
});
