import { afterEach, describe, expect, test } from 'vitest';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BlockCorruptedError, FileBlockStore, MemoryBlockStore, openBlockStore, type BlockStore } from '../../simulators/cloud/block-store.ts';

/*
 * Both block stores called directly (no lab): hashes from node:crypto here, never the product's
 * sha256Hex; the file layout (dir/ab/<hash>, tmp/, quarantine/) read with node:fs.
 */
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const data = (seed: string, size: number) => Buffer.alloc(size, seed);

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'bpsim-blocks-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** The bit rot the block-corrupted fault makes, written from its description: byte 0 of each 4 KiB flipped. */
function rotted(b: Buffer): Buffer {
  const out = Buffer.from(b);
  for (const i of [0, 4096, 8192, 12288]) if (i < out.length) out[i] = out[i]! ^ 0xff;
  return out;
}

describe.each([
  ['memory', () => new MemoryBlockStore()],
  ['file', () => new FileBlockStore(tempDir())],
] as const)('%s block store', (_kind, make: () => BlockStore) => {
  test('put stores once, has/size/hashes/stats count each block once', async () => {
    const s = make();
    const a = data('a', 5000);
    const b = data('b', 100);
    expect(s.stats()).toEqual({ blocks: 0, bytes: 0 });
    expect(await s.put(sha(a), a)).toBe(true);
    expect(await s.put(sha(a), a)).toBe(false);
    expect(await s.put(sha(b), b)).toBe(true);
    expect(s.stats()).toEqual({ blocks: 2, bytes: 5100 });
    expect([s.has(sha(a)), s.has(sha(data('c', 1)))]).toEqual([true, false]);
    expect([s.size(sha(a)), s.size(sha(b)), s.size(sha(data('c', 1)))]).toEqual([5000, 100, undefined]);
    expect(s.hashes().sort()).toEqual([sha(a), sha(b)].sort());
    expect(await s.get(sha(a))).toEqual(a);
    expect(await s.get(sha(data('c', 1)))).toBeUndefined();
  });

  test('corrupt flips the first byte of every 4 KiB; the next read reports it and drops the block', async () => {
    const s = make();
    const a = Buffer.from(Array.from({ length: 9000 }, (_, i) => i % 251));
    const other = data('o', 10);
    await s.put(sha(a), a);
    await s.put(sha(other), other);
    expect(await s.corrupt(sha(data('none', 1)))).toBe(false);
    expect(await s.corrupt(sha(a))).toBe(true);
    const err = await s.get(sha(a)).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(BlockCorruptedError);
    expect((err as BlockCorruptedError).hash).toBe(sha(a));
    expect((err as BlockCorruptedError).actual).toBe(sha(rotted(a)));
    expect((err as Error).message).toBe(`block ${sha(a)} is corrupted at rest (content hashes to ${sha(rotted(a))}); it was quarantined`);
    // Quarantined: now missing, no longer counted; the other block is untouched.
    expect([s.has(sha(a)), await s.get(sha(a))]).toEqual([false, undefined]);
    expect(s.stats()).toEqual({ blocks: 1, bytes: 10 });
    expect(await s.get(sha(other))).toEqual(other);
  });

  test('an empty block cannot be corrupted', async () => {
    const s = make();
    const empty = Buffer.alloc(0);
    expect(await s.put(sha(empty), empty)).toBe(true);
    expect(await s.corrupt(sha(empty))).toBe(false);
    expect(await s.get(sha(empty))).toEqual(empty);
    expect(s.stats()).toEqual({ blocks: 1, bytes: 0 });
  });

  test('clear deletes every block and says how many', async () => {
    const s = make();
    for (const seed of ['x', 'y', 'z']) await s.put(sha(data(seed, 10)), data(seed, 10));
    expect(await s.clear()).toBe(3);
    expect(s.stats()).toEqual({ blocks: 0, bytes: 0 });
    expect([s.hashes(), await s.get(sha(data('x', 10)))]).toEqual([[], undefined]);
    expect(await s.clear()).toBe(0);
    expect(await s.put(sha(data('x', 10)), data('x', 10))).toBe(true);
    s.close();
  });
});

describe('file block store on disk', () => {
  test('a block is the file dir/<first two hex>/<hash>; no temp file is left', async () => {
    const dir = tempDir();
    const s = new FileBlockStore(dir);
    const a = data('a', 3000);
    const h = sha(a);
    await s.put(h, a);
    expect(readFileSync(join(dir, h.slice(0, 2), h))).toEqual(a);
    expect(readdirSync(join(dir, 'tmp'))).toEqual([]);
    expect(readdirSync(join(dir, 'quarantine'))).toEqual([]);
  });

  test('corruption damages the file in place; the read moves it to quarantine/', async () => {
    const dir = tempDir();
    const s = new FileBlockStore(dir);
    const a = Buffer.from(Array.from({ length: 5000 }, (_, i) => i % 13));
    const h = sha(a);
    await s.put(h, a);
    await s.corrupt(h);
    expect(readFileSync(join(dir, h.slice(0, 2), h))).toEqual(rotted(a));
    await expect(s.get(h)).rejects.toBeInstanceOf(BlockCorruptedError);
    expect(existsSync(join(dir, h.slice(0, 2), h))).toBe(false);
    const q = readdirSync(join(dir, 'quarantine'));
    expect(q).toHaveLength(1);
    expect(q[0]).toMatch(new RegExp(`^${h}\\.\\d+$`));
    expect(readFileSync(join(dir, 'quarantine', q[0]!))).toEqual(rotted(a));
  });

  test('a block file deleted behind the store reads as missing and is no longer counted', async () => {
    const dir = tempDir();
    const s = new FileBlockStore(dir);
    const a = data('a', 700);
    await s.put(sha(a), a);
    unlinkSync(join(dir, sha(a).slice(0, 2), sha(a)));
    expect(await s.get(sha(a))).toBeUndefined();
    expect([s.has(sha(a)), s.stats()]).toEqual([false, { blocks: 0, bytes: 0 }]);
    expect(await s.corrupt(sha(a))).toBe(false);
    expect(await s.clear()).toBe(0);
  });

  test('clear deletes the files: a reopened store is empty', async () => {
    const dir = tempDir();
    const s = new FileBlockStore(dir);
    await s.put(sha(data('a', 10)), data('a', 10));
    expect(await s.clear()).toBe(1);
    expect(new FileBlockStore(dir).stats()).toEqual({ blocks: 0, bytes: 0 });
  });

  test('a read error other than a missing file is an error, not a missing block', async () => {
    const dir = tempDir();
    const s = new FileBlockStore(dir);
    const a = data('a', 10);
    await s.put(sha(a), a);
    const path = join(dir, sha(a).slice(0, 2), sha(a));
    unlinkSync(path);
    mkdirSync(path);
    await expect(s.get(sha(a))).rejects.toMatchObject({ code: 'EISDIR' });
    expect(s.has(sha(a))).toBe(true);
  });

  test('a corrupted block is deleted when quarantine/ cannot take it', async () => {
    const dir = tempDir();
    const s = new FileBlockStore(dir);
    const a = data('a', 10);
    await s.put(sha(a), a);
    await s.corrupt(sha(a));
    rmSync(join(dir, 'quarantine'), { recursive: true });
    await expect(s.get(sha(a))).rejects.toBeInstanceOf(BlockCorruptedError);
    expect(existsSync(join(dir, sha(a).slice(0, 2), sha(a)))).toBe(false);
    expect(new FileBlockStore(dir).has(sha(a))).toBe(false);
  });

  test('reopening indexes the blocks on disk (sizes from the files), sweeps tmp/, ignores other names', async () => {
    const dir = tempDir();
    const first = new FileBlockStore(dir);
    const a = data('a', 1234);
    const b = data('b', 4321);
    await first.put(sha(a), a);
    await first.put(sha(b), b);
    writeFileSync(join(dir, 'tmp', 'half-written'), 'x');
    mkdirSync(join(dir, 'zz'));
    writeFileSync(join(dir, 'zz', 'f'.repeat(64)), 'not a shard');
    writeFileSync(join(dir, sha(a).slice(0, 2), 'notes.txt'), 'not a block');
    writeFileSync(join(dir, sha(a).slice(0, 2), sha(a).toUpperCase()), 'not a block name');
    writeFileSync(join(dir, sha(a).slice(0, 2), `${sha(a)}.bak`), 'not a block name');
    writeFileSync(join(dir, sha(a).slice(0, 2), `old-${sha(a)}`), 'not a block name');
    // Only two-hex-digit directories are shards.
    for (const d of ['0ab', 'ab0']) {
      mkdirSync(join(dir, d));
      writeFileSync(join(dir, d, sha(data(d, 1))), 'x');
    }
    const again = new FileBlockStore(dir);
    expect(again.stats()).toEqual({ blocks: 2, bytes: 1234 + 4321 });
    expect([again.size(sha(a)), again.size(sha(b))]).toEqual([1234, 4321]);
    expect(readdirSync(join(dir, 'tmp'))).toEqual([]);
    expect(await again.get(sha(b))).toEqual(b);
  });

  test('openBlockStore: memory without a directory, files with one; an unusable directory is explained', async () => {
    expect(openBlockStore()).toBeInstanceOf(MemoryBlockStore);
    const dir = tempDir();
    const s = openBlockStore(join(dir, 'blocks'));
    expect(s).toBeInstanceOf(FileBlockStore);
    expect(existsSync(join(dir, 'blocks', 'tmp'))).toBe(true);
    writeFileSync(join(dir, 'file'), 'x');
    expect(() => openBlockStore(join(dir, 'file'))).toThrow(
      new RegExp(`^cannot use ${join(dir, 'file')} as the block store \\(under the state directory\\) \\((ENOTDIR|EEXIST): .*\\); choose a writable directory with --state-dir <dir> \\(library: stateDir\\)$`),
    );
  });
});
