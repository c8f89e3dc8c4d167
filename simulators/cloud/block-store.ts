import { explainDirError } from '../core/dir-errors.ts';
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { open, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { sha256Hex } from '../core/codecs/cloud-api.ts';

/** A stored block no longer hashes to its name; it has been quarantined (so it reads as missing). */
export class BlockCorruptedError extends Error {
  constructor(readonly hash: string, readonly actual: string) {
    super(`block ${hash} is corrupted at rest (content hashes to ${actual}); it was quarantined`);
  }
}

/**
 * Content-addressed blocks named by their SHA-256. Every read is verified, so a block damaged at
 * rest is reported (and quarantined), never served as wrong data.
 */
export interface BlockStore {
  has(hash: string): boolean;
  size(hash: string): number | undefined;
  /** Stores data under its hash (the caller has verified it); false when it was already there. */
  put(hash: string, data: Buffer): Promise<boolean>;
  /** The verified block, undefined when absent; throws BlockCorruptedError on a hash mismatch. */
  get(hash: string): Promise<Buffer | undefined>;
  /** Flips bytes of a stored block (the block-corrupted fault); false when absent. */
  corrupt(hash: string): Promise<boolean>;
  hashes(): string[];
  stats(): { blocks: number; bytes: number };
  /** Deletes every block (a lab data reset); returns how many there were. */
  clear(): Promise<number>;
  close(): void;
}

/** Index of sizes shared by both stores, so has/size/stats never touch the disk. */
abstract class IndexedStore implements BlockStore {
  protected readonly sizes = new Map<string, number>();
  private bytes = 0;

  has(hash: string): boolean {
    return this.sizes.has(hash);
  }
  size(hash: string): number | undefined {
    return this.sizes.get(hash);
  }
  hashes(): string[] {
    return [...this.sizes.keys()];
  }
  stats(): { blocks: number; bytes: number } {
    return { blocks: this.sizes.size, bytes: this.bytes };
  }
  protected index(hash: string, size: number): void {
    if (!this.sizes.has(hash)) this.bytes += size;
    this.sizes.set(hash, size);
  }
  protected unindex(hash: string): void {
    this.bytes -= this.sizes.get(hash) ?? 0;
    this.sizes.delete(hash);
  }

  async put(hash: string, data: Buffer): Promise<boolean> {
    if (this.has(hash)) return false;
    await this.write(hash, data);
    this.index(hash, data.length);
    return true;
  }

  async get(hash: string): Promise<Buffer | undefined> {
    if (!this.has(hash)) return undefined;
    const data = await this.read(hash);
    if (!data) {
      this.unindex(hash);
      return undefined;
    }
    const actual = sha256Hex(data);
    if (actual !== hash) {
      await this.quarantine(hash);
      this.unindex(hash);
      throw new BlockCorruptedError(hash, actual);
    }
    return data;
  }

  async corrupt(hash: string): Promise<boolean> {
    const data = this.has(hash) ? await this.read(hash) : undefined;
    if (!data) return false;
    const damaged = Buffer.from(data);
    if (damaged.length === 0) return false;
    for (let i = 0; i < damaged.length; i += 4096) damaged[i] = damaged[i]! ^ 0xff;
    await this.overwrite(hash, damaged);
    return true;
  }

  async clear(): Promise<number> {
    const all = this.hashes();
    for (const hash of all) {
      await this.remove(hash);
      this.unindex(hash);
    }
    return all.length;
  }

  close(): void {}

  protected abstract remove(hash: string): Promise<void>;
  protected abstract write(hash: string, data: Buffer): Promise<void>;
  protected abstract overwrite(hash: string, data: Buffer): Promise<void>;
  protected abstract read(hash: string): Promise<Buffer | undefined>;
  protected abstract quarantine(hash: string): Promise<void>;
}

export class MemoryBlockStore extends IndexedStore {
  private readonly blocks = new Map<string, Buffer>();
  // Takes ownership of `data`: every caller hands over a buffer it made for this block (a request
  // body, a download), and a copy per block costs a measurable share of the backup path.
  protected async write(hash: string, data: Buffer): Promise<void> {
    this.blocks.set(hash, data);
  }
  protected async overwrite(hash: string, data: Buffer): Promise<void> {
    this.blocks.set(hash, data);
  }
  protected async read(hash: string): Promise<Buffer | undefined> {
    return this.blocks.get(hash);
  }
  protected async quarantine(hash: string): Promise<void> {
    this.blocks.delete(hash);
  }
  protected async remove(hash: string): Promise<void> {
    this.blocks.delete(hash);
  }
}

/**
 * One file per block under dir/ab/<hash>. A write goes to tmp/, is fsynced, then renamed into
 * place (and the directory fsynced): a crash leaves either no block or a complete one, and stray
 * temp files are swept at open.
 */
export class FileBlockStore extends IndexedStore {
  private readonly tmp: string;
  private readonly quarantineDir: string;

  constructor(private readonly dir: string) {
    super();
    this.tmp = join(dir, 'tmp');
    this.quarantineDir = join(dir, 'quarantine');
    rmSync(this.tmp, { recursive: true, force: true });
    for (const d of [this.tmp, this.quarantineDir]) mkdirSync(d, { recursive: true });
    for (const sub of readdirSync(dir)) {
      if (!/^[0-9a-f]{2}$/.test(sub)) continue;
      for (const name of readdirSync(join(dir, sub))) {
        if (/^[0-9a-f]{64}$/.test(name)) this.index(name, statSync(join(dir, sub, name)).size);
      }
    }
  }

  private pathOf(hash: string): string {
    return join(this.dir, hash.slice(0, 2), hash);
  }

  protected async write(hash: string, data: Buffer): Promise<void> {
    const temp = join(this.tmp, `${hash}.${randomUUID()}`);
    const fh = await open(temp, 'wx');
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    const shard = join(this.dir, hash.slice(0, 2));
    mkdirSync(shard, { recursive: true });
    await rename(temp, this.pathOf(hash));
    const dh = await open(shard, 'r');
    try {
      await dh.sync();
    } finally {
      await dh.close();
    }
  }

  protected async overwrite(hash: string, data: Buffer): Promise<void> {
    // Damage in place, as bit rot would: no atomic rename here on purpose.
    await writeFile(this.pathOf(hash), data);
  }

  protected async read(hash: string): Promise<Buffer | undefined> {
    try {
      return await readFile(this.pathOf(hash));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  protected async remove(hash: string): Promise<void> {
    await unlink(this.pathOf(hash)).catch(() => {});
  }

  protected async quarantine(hash: string): Promise<void> {
    await rename(this.pathOf(hash), join(this.quarantineDir, `${hash}.${Date.now()}`)).catch(() => unlink(this.pathOf(hash)).catch(() => {}));
  }
}

export function openBlockStore(dir?: string): BlockStore {
  if (!dir) return new MemoryBlockStore();
  try {
    return new FileBlockStore(dir);
  } catch (err) {
    throw explainDirError(err, dir, 'block store (under the state directory)', '--state-dir <dir> (library: stateDir)');
  }
}
