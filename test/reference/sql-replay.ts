import { createCipheriv, createHash } from 'node:crypto';

/**
 * The SQL truth, rebuilt naively from the source database's log: every page starts as the AES-128-CTR
 * keystream of SHA-256("<seed>:page:<id>") (docs/guest.md's content rule), then every row change of a
 * transaction that committed at or before `stopAtMs` is copied in, in log order; every page has its
 * header stamped (u32 page id @0, u64 LSN of its last change, or the database's creation LSN, @8,
 * zeros to 96).
 */
export function replayPages(db: { seed: string; createdLsn: bigint; pages: { count: number }; log: { op: number; lsn: bigint; timeMs: number; xact: number; pageId: number; offset: number; data: Buffer }[] }, stopAtMs: number): Buffer[] {
  const committed = new Set(db.log.filter((r) => r.op === 3 && r.timeMs <= stopAtMs).map((r) => r.xact));
  const pages = Array.from({ length: db.pages.count }, (_, id) => {
    const key = createHash('sha256').update(`${db.seed}:page:${id}`).digest().subarray(0, 16);
    const c = createCipheriv('aes-128-ctr', key, Buffer.alloc(16));
    return Buffer.concat([c.update(Buffer.alloc(8192)), c.final()]);
  });
  const last = new Map<number, bigint>();
  for (const r of db.log) {
    if (r.op !== 2 || !committed.has(r.xact)) continue;
    r.data.copy(pages[r.pageId]!, r.offset);
    last.set(r.pageId, r.lsn);
  }
  for (const [id, page] of pages.entries()) {
    page.writeUInt32LE(id, 0);
    page.writeBigUInt64LE(last.get(id) ?? db.createdLsn, 8);
    page.fill(0, 16, 96);
  }
  return pages;
}
