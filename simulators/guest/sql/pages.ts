import { createCipheriv, createHash } from 'node:crypto';
import { PAGE_HEADER, PAGE_SIZE } from '../../core/codecs/sql-backup-stream.ts';

/** One change a log record makes to a page: bytes written at an offset. */
export interface PageMod {
  lsn: bigint;
  offset: number;
  data: Buffer;
}

interface PageState {
  /** Explicit image (restored from a backup); generated from the seed when absent. */
  base?: Buffer;
  baseLsn: bigint;
  mods: PageMod[];
}

const ZEROS = Buffer.alloc(PAGE_SIZE);

/**
 * The data pages of one database. Source databases generate each page's first image from a seed
 * (AES-CTR keystream: fast and deterministic) and keep the changes of every transaction, so the
 * image of any page at any LSN can be rebuilt: that is what makes "checksum at LSN" and
 * restore-equals-source provable. Restored databases hold the images the backup stream carried.
 */
export class PageStore {
  private readonly pages: PageState[];

  constructor(
    private readonly seed: string,
    readonly count: number,
    createdLsn: bigint,
  ) {
    this.pages = Array.from({ length: count }, () => ({ baseLsn: createdLsn, mods: [] }));
  }

  private generated(pageId: number): Buffer {
    const key = createHash('sha256').update(`${this.seed}:page:${pageId}`).digest().subarray(0, 16);
    const c = createCipheriv('aes-128-ctr', key, Buffer.alloc(16));
    return Buffer.concat([c.update(ZEROS), c.final()]);
  }

  /** The page as of `lsn` (all changes with LSN <= lsn applied), header stamped with its last change LSN. */
  image(pageId: number, lsn?: bigint): Buffer {
    const p = this.pages[pageId]!;
    const img = Buffer.from(p.base ?? this.generated(pageId));
    let last = p.baseLsn;
    for (const m of p.mods) {
      if (lsn !== undefined && m.lsn > lsn) break;
      m.data.copy(img, m.offset);
      last = m.lsn;
    }
    if (!p.base || last !== p.baseLsn) stampHeader(img, pageId, last);
    return img;
  }

  modify(pageId: number, mod: PageMod): void {
    this.pages[pageId]!.mods.push(mod);
  }

  /** A restore writes a page image wholesale. */
  replace(pageId: number, image: Buffer, lsn: bigint): void {
    this.pages[pageId] = { base: image, baseLsn: lsn, mods: [] };
  }

  /** Pages changed after `lsn` (what a differential backup must carry, by 8-page extent). */
  changedExtentsSince(lsn: bigint): number[] {
    const extents = new Set<number>();
    this.pages.forEach((p, id) => {
      if (p.baseLsn > lsn || p.mods.some((m) => m.lsn > lsn)) extents.add(id >> 3);
    });
    const ids: number[] = [];
    for (const e of [...extents].sort((a, b) => a - b)) for (let id = e * 8; id < Math.min(e * 8 + 8, this.count); id++) ids.push(id);
    return ids;
  }

  checksum(lsn?: bigint): string {
    const h = createHash('sha256');
    for (let id = 0; id < this.count; id++) h.update(this.image(id, lsn));
    return h.digest('hex');
  }
}

function stampHeader(img: Buffer, pageId: number, lsn: bigint): void {
  img.writeUInt32LE(pageId, 0);
  img.writeBigUInt64LE(lsn, 8);
  img.fill(0, 16, PAGE_HEADER);
}
