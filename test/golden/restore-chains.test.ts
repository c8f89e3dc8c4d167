import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createHash } from 'node:crypto';
import type { Lab } from '../../simulators/lab.ts';
import type { BackupProxy } from '../../proxy/backup-proxy.ts';
import type { Extent, VirtualDisk } from '../../simulators/disk/contract.ts';
import { startTestLab } from '../helpers/lab.ts';
import { proxyFor } from '../../testing/proxy.ts';
import { replayPages } from '../reference/sql-replay.ts';

/*
 * Byte-exact restore, end to end: a seeded random chain (a full, then incrementals after random
 * writes, one of them retried after a rejected NFC ticket), each point restored by the proxy's DR
 * restore flow to a new VM, and the new disk compared with what the source held at that snapshot.
 * The expectation is a naive overlay (the disk's initial bytes read once, then every write of this
 * test applied in order); both sides are hashed with node:crypto here, never with product helpers.
 */
/** BPSIM_RESTORE_SEED replays another chain; BPSIM_RESTORE_ROUNDS makes it longer (2 incrementals by default). */
const SEED = Number(process.env.BPSIM_RESTORE_SEED ?? 1302);
const MiB = 1024 * 1024;

/** mulberry32: a tiny seeded PRNG, so a failing chain can be replayed from its seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Piece {
  offset: number;
  data: Buffer;
}

/** The source disk as this test believes it is: initial pieces, then writes in order. */
class Overlay {
  readonly writes: Piece[] = [];
  constructor(readonly base: Piece[]) {}

  bytes(start: number, length: number, nWrites: number): Buffer {
    const out = Buffer.alloc(length);
    for (const p of [...this.base, ...this.writes.slice(0, nWrites)]) {
      const s = Math.max(start, p.offset);
      const e = Math.min(start + length, p.offset + p.data.length);
      if (s < e) p.data.copy(out, s - start, s - p.offset, e - p.offset);
    }
    return out;
  }

  extents(nWrites: number): Extent[] {
    return [...this.base, ...this.writes.slice(0, nWrites)].map((p) => ({ start: p.offset, length: p.data.length }));
  }
}

function union(...lists: Extent[][]): Extent[] {
  const xs = lists.flat().filter((x) => x.length > 0).sort((a, b) => a.start - b.start);
  const out: Extent[] = [];
  for (const x of xs) {
    const last = out.at(-1);
    if (last && x.start <= last.start + last.length) last.length = Math.max(last.length, x.start + x.length - last.start);
    else out.push({ ...x });
  }
  return out;
}

/** Compares a disk with the overlay at point n over every byte either side holds; returns a description of the first difference. */
function compare(disk: VirtualDisk, overlay: Overlay, n: number): { expected: string; actual: string; firstDiff?: number } {
  const he = createHash('sha256');
  const ha = createHash('sha256');
  let firstDiff: number | undefined;
  for (const x of union(overlay.extents(n), disk.allocatedExtents())) {
    for (let off = x.start; off < x.start + x.length; off += 4 * MiB) {
      const len = Math.min(4 * MiB, x.start + x.length - off);
      const want = overlay.bytes(off, len, n);
      const got = disk.read({ disk, readOnly: true }, off, len);
      he.update(want);
      ha.update(got);
      if (firstDiff === undefined && !want.equals(got)) {
        let i = 0;
        while (want[i] === got[i]) i++;
        firstDiff = off + i;
      }
    }
  }
  return { expected: he.digest('hex'), actual: ha.digest('hex'), firstDiff };
}

let lab: Lab;
let proxy: BackupProxy;
beforeAll(async () => {
  // A small VM of its own keeps each backup and DR restore to a few MiB over 902.
  lab = await startTestLab({ extraVms: [{ name: 'chain01', disks: [{ capacityGiB: 1, allocatedMiB: 4 }] }] });
  proxy = proxyFor(lab);
});
afterAll(async () => {
  proxy.close();
  await lab.stop();
});

describe(`byte-exact DR restore of a random chain (BPSIM_RESTORE_SEED=${SEED})`, () => {
  test('every point of the chain restores to exactly the source bytes at its snapshot', { timeout: 300_000 }, async () => {
    const rnd = prng(SEED);
    const vm = lab.world.inventory.vms.find((v) => v.name === 'chain01')!;
    const src = lab.world.disks.get(vm.moid, 2000)!;
    const base = src.allocatedExtents().map((x) => ({ offset: x.start, data: src.read({ disk: src, readOnly: true }, x.start, x.length) }));
    const overlay = new Overlay(base);
    const points: { manifestId: string; writes: number; kind: string }[] = [];
    const ticketCalls = () => lab.recorder.find({ kind: 'request', from: 'proxy', to: 'vcenter', summary: /^Nfc(GetVmFiles|RandomAccessOpenDisk)/ }).length;

    const full = await proxy.backupVm({ vm: 'chain01' });
    points.push({ manifestId: full.manifestId, writes: 0, kind: full.kind });
    const rounds = Number(process.env.BPSIM_RESTORE_ROUNDS ?? 2);
    for (let round = 0; round < rounds; round++) {
      const writes = 1 + Math.floor(rnd() * 4);
      for (let w = 0; w < writes; w++) {
        // Half the writes land on (or across the edge of) data the disk already holds, half anywhere.
        const anchor = rnd() < 0.5 ? base[Math.floor(rnd() * base.length)]!.offset + Math.floor(rnd() * 64) * 4096 - 32 * 4096 : Math.floor(rnd() * (src.capacityBytes / 4096 - 64)) * 4096;
        const offset = Math.min(Math.max(0, anchor), src.capacityBytes - 256 * 1024);
        const length = (1 + Math.floor(rnd() * 512)) * 512;
        const data = Buffer.alloc(length);
        for (let i = 0; i < length; i += 4) data.writeUInt32LE(Math.floor(rnd() * 2 ** 32), i);
        if (rnd() < 0.15) data.fill(0);
        src.write({ disk: src, readOnly: false }, offset, data);
        overlay.writes.push({ offset, data });
      }
      const before = ticketCalls();
      const retried = round === 0;
      if (retried) {
        const esxi = lab.world.inventory.hosts.find((h) => h.moid === vm.host)!;
        lab.faults.set({ target: esxi.component, type: 'ticket-rejected', params: {}, remaining: 1 });
      }
      const inc = await proxy.backupVm({ vm: 'chain01' });
      expect(inc.kind).toBe('incremental');
      // One ticket per disk session; the rejected one costs exactly one more.
      expect(ticketCalls() - before).toBe(retried ? 2 : 1);
      points.push({ manifestId: inc.manifestId, writes: overlay.writes.length, kind: inc.kind });
      // The source itself matches the overlay at this point (the expectation is right).
      const self = compare(src, overlay, overlay.writes.length);
      expect(self.actual, `source vs overlay at point ${points.length - 1}, first difference at ${self.firstDiff}`).toBe(self.expected);
    }

    for (const [i, p] of points.entries()) {
      const dr = await proxy.restoreDr({ manifestId: p.manifestId, newName: `chain01-dr-${SEED}-${i}` });
      const [dst] = lab.world.disks.forVm(dr.moref);
      expect(dst!.capacityBytes).toBe(src.capacityBytes);
      const r = compare(dst!, overlay, p.writes);
      expect(r.actual, `point ${i} (${p.kind}, ${p.writes} writes): first difference at byte ${r.firstDiff}`).toBe(r.expected);
    }
  });
});

describe(`SQL point-in-time restore against a naive replay (BPSIM_RESTORE_SEED=${SEED})`, () => {
  test('a restore at a random commit time equals the source log replayed to that time', async () => {
    const rnd = prng(SEED + 1);
    const server = lab.world.sql.server('sql01')!;
    const db = server.database('MSSQLSERVER', 'InventoryDB')!;
    await proxy.backupSql({ vm: 'sql01', type: 'full', databases: ['InventoryDB'] });
    const commits: number[] = [];
    for (let batch = 0; batch < 4; batch++) {
      // Pauses only separate the batches' commit times, so a point in time falls between them.
      await new Promise((r) => setTimeout(r, 5 + Math.floor(rnd() * 20)));
      commits.push(...server.runTransactions('MSSQLSERVER', 'InventoryDB', 3 + Math.floor(rnd() * 8)).commits.map((c) => c.time.getTime()));
      if (batch === 1 || batch === 3) await proxy.backupSql({ vm: 'sql01', type: 'log', databases: ['InventoryDB'] });
    }
    const stopAtMs = commits[Math.floor(rnd() * commits.length)]!;
    const target = `InventoryDB_pit_${SEED}`;
    const r = await proxy.restoreSql({ vm: 'sql01', database: 'InventoryDB', targetDatabase: target, time: new Date(stopAtMs).toISOString() });
    expect(r.chain[0]!.type).toBe('full');
    const restored = server.database('MSSQLSERVER', target)!;
    const want = replayPages(db, stopAtMs);
    expect(restored.pages.count).toBe(want.length);
    const he = createHash('sha256');
    const ha = createHash('sha256');
    let firstDiff: number | undefined;
    for (let id = 0; id < want.length; id++) {
      const got = restored.pages.image(id);
      he.update(want[id]!);
      ha.update(got);
      if (firstDiff === undefined && !got.equals(want[id]!)) firstDiff = id;
    }
    expect(ha.digest('hex'), `restored ${target} at ${new Date(stopAtMs).toISOString()}: first differing page ${firstDiff}`).toBe(he.digest('hex'));
  });
});
