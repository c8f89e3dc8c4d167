import { describe, test, expect, beforeAll, afterAll } from 'vitest';
import { createHash } from 'node:crypto';
import { startNfcLab, type NfcLab } from './harness.ts';
import { NfcConnection, type DiskChunk } from '../../proxy/clients/nfc/index.ts';
import type { ChangedAreas, Extent } from '../../simulators/disk/index.ts';

let t: NfcLab;
beforeAll(async () => {
  t = await startNfcLab();
});
afterAll(async () => {
  await t?.lab.stop();
});

function allAreas(page: (off: number) => ChangedAreas, capacity: number): Extent[] {
  const out: Extent[] = [];
  for (let off = 0; off < capacity; ) {
    const p = page(off);
    out.push(...p.changedArea);
    off = p.startOffset + p.length;
  }
  return out;
}

async function collect(stream: AsyncIterable<DiskChunk>): Promise<DiskChunk[]> {
  const out: DiskChunk[] = [];
  for await (const c of stream) out.push(c);
  return out;
}

const sha = (bufs: Buffer[]) => bufs.reduce((h, b) => h.update(b), createHash('sha256')).digest('hex');

describe('NFC over 902', () => {
  test('a full read of a snapshot equals the model bytes; changed extents since an older changeId equal the changed bytes', async () => {
    const vm = t.vm('web01');
    const disk = t.disks.get(vm.moid, 2000)!;
    const s1 = disk.freeze('snap-1');
    const view1 = { disk, snapshotId: 'snap-1', readOnly: true };
    const alloc = allAreas((o) => disk.queryChangedAreas('snap-1', o, '*'), disk.capacityBytes);

    const conn = await NfcConnection.open(t.net, { host: t.host, sslThumbprint: t.sha1, sessionId: t.ticket(vm, [s1.fileName]).sessionId });
    const d = await conn.openDisk(s1.fileName);
    expect(d.capacity).toBe(disk.capacityBytes);
    const chunks = await collect(d.readExtents(alloc, { inFlight: 4, chunkBytes: 1024 * 1024 + 512 }));
    await d.close();
    await conn.close();
    expect(sha(chunks.map((c) => c.data))).toBe(sha(alloc.map((x) => disk.read(view1, x.start, x.length))));
    expect(chunks.reduce((n, c) => n + c.data.length, 0)).toBe(alloc.reduce((n, x) => n + x.length, 0));

    // The guest changes 10% in 12 extents; an incremental reads only those.
    const w = disk.guestWrite({ percent: 10, extents: 12 });
    disk.release('snap-1');
    const s2 = disk.freeze('snap-2');
    const view2 = { disk, snapshotId: 'snap-2', readOnly: true };
    const changed = allAreas((o) => disk.queryChangedAreas('snap-2', o, s1.changeId!), disk.capacityBytes);
    expect(changed.reduce((n, x) => n + x.length, 0)).toBe(w.bytes);
    const conn2 = await NfcConnection.open(t.net, { host: t.host, sslThumbprint: t.sha1, sessionId: t.ticket(vm, [s2.fileName]).sessionId });
    const d2 = await conn2.openDisk(s2.fileName);
    const inc = await collect(d2.readExtents(changed));
    await conn2.close();
    expect(sha(inc.map((c) => c.data))).toBe(sha(changed.map((x) => disk.read(view2, x.start, x.length))));
    disk.release('snap-2');
  });

  test('writes then reads round-trip, over NBDSSL and plain NBD; a restore makes the checksums equal', async () => {
    const src = t.disks.get(t.vm('app01').moid, 2000)!;
    src.freeze('backup');
    const srcView = { disk: src, snapshotId: 'backup', readOnly: true };
    // Restore target: a disk of the same size with other content (a VM being restored over).
    const vm = { ...t.vm('app01'), moid: 'vm-restore' };
    const target = t.disks.create(vm.moid, { ...src.spec, fileName: '[datastore1] restore01/restore01.vmdk', seed: 'restore-target' });
    const areas = allAreas((o) => src.queryChangedAreas('backup', o, '*'), src.capacityBytes).slice(0, 3);
    for (const ssl of [true, false]) {
      const conn = await NfcConnection.open(t.net, { host: t.host, sslThumbprint: t.sha1, sessionId: t.ticket(vm, [target.currentFileName], 'readwrite').sessionId }, { ssl });
      const d = await conn.openDisk(target.currentFileName, { readOnly: false });
      const written = await d.writeChunks(
        areas.map((x) => ({ offset: x.start, data: src.read(srcView, x.start, Math.min(x.length, 3 * 65536 + 512)) })),
        { inFlight: 2 },
      );
      expect(written).toBeGreaterThan(0);
      for (const x of areas) {
        const n = Math.min(x.length, 3 * 65536 + 512);
        expect((await d.read(x.start, n)).equals(src.read(srcView, x.start, n))).toBe(true);
      }
      await conn.close();
    }
    // Full restore of the source into the target's live disk, then compare checksums.
    const full = allAreas((o) => src.queryChangedAreas('backup', o, '*'), src.capacityBytes);
    const conn = await NfcConnection.open(t.net, { host: t.host, sslThumbprint: t.sha1, sessionId: t.ticket(vm, [target.currentFileName], 'readwrite').sessionId });
    const d = await conn.openDisk(target.currentFileName, { readOnly: false });
    const chunks = function* () {
      for (const x of full) for (let at = 0; at < x.length; at += 1 << 20) yield { offset: x.start + at, data: src.read(srcView, x.start + at, Math.min(1 << 20, x.length - at)) };
      // Zero whatever only the target held.
      const srcSet = new Set(full.map((x) => `${x.start}:${x.length}`));
      for (const x of target.allocatedExtents()) if (!srcSet.has(`${x.start}:${x.length}`)) {
        for (let at = 0; at < x.length; at += 1 << 20) {
          const off = x.start + at;
          const n = Math.min(1 << 20, x.length - at);
          yield { offset: off, data: src.read(srcView, off, n) };
        }
      }
    };
    await d.writeChunks(chunks());
    await conn.close();
    expect(target.checksum()).toBe(src.checksum(srcView));
    src.release('backup');
  });
});
