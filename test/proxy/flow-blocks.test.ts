import { describe, expect, test } from 'vitest';
import { createHash } from 'node:crypto';
import { alignToBlocks, cutStream, storeBlocks, type Block, type UploadStats } from '../../proxy/flows/blocks.ts';
import { extentsFrom } from '../../proxy/flows/resumable-read.ts';
import type { DataTarget } from '../../proxy/flows/data-target.ts';

/*
 * The backup data path's block stages called directly (no lab): a naive in-memory target that
 * records every call, hashes from node:crypto, expected blocks and extents written by hand.
 */
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const blk = (seed: number, size = 1000) => Buffer.alloc(size, seed);

/** A target holding `stored` hashes; each upload takes a timer tick, so uploads overlap. */
function naiveTarget(stored: string[] = [], fail?: { upload?: string; missing?: boolean }) {
  const have = new Set(stored);
  const calls = { missing: [] as string[][], uploads: [] as string[], inFlight: 0, maxInFlight: 0 };
  const target = {
    async missing(hashes: string[]) {
      calls.missing.push(hashes);
      if (fail?.missing) throw new Error('dedup check failed');
      return hashes.filter((h) => !have.has(h));
    },
    async upload(data: Buffer, hash: string) {
      calls.inFlight++;
      calls.maxInFlight = Math.max(calls.maxInFlight, calls.inFlight);
      await new Promise((r) => setTimeout(r, 1));
      calls.inFlight--;
      if (hash === fail?.upload) throw new Error('upload refused');
      expect(sha(data)).toBe(hash);
      calls.uploads.push(hash);
      have.add(hash);
    },
  };
  return { target: target as unknown as DataTarget, calls, have };
}

async function* blocksOf(datas: Buffer[]): AsyncGenerator<Block> {
  let offset = 0;
  for (const data of datas) {
    yield { offset, data };
    offset += data.length;
  }
}

describe('storeBlocks', () => {
  test('every block hashed in order; only missing ones uploaded, each once; the stats add up', async () => {
    // 10 blocks: seeds 1..5, then 1 (twice in one batch) and 2 again in the next batch, 6, 7.
    const datas = [1, 2, 3, 4, 5, 1, 1, 2, 6, 7].map((s) => blk(s));
    const { target, calls } = naiveTarget([sha(blk(3)), sha(blk(7))]);
    const progress: UploadStats[] = [];
    const r = await storeBlocks(blocksOf(datas), target, (s) => progress.push({ ...s }), { batchBlocks: 4, parallel: 2 });
    expect(r.stored).toEqual(datas.map((d, i) => ({ offset: i * 1000, length: 1000, hash: sha(d) })));
    expect(calls.uploads.sort()).toEqual([1, 2, 4, 5, 6].map((s) => sha(blk(s))).sort());
    expect(r.stats).toEqual({ blocks: 10, blocksUploaded: 5, bytesRead: 10_000, bytesSent: 5000 });
    // One dedup check per batch of 4 (the last one partial), each hash once per check.
    expect(calls.missing.map((m) => m.length)).toEqual([4, 3, 2]);
    expect(calls.missing[1]).toEqual([sha(blk(5)), sha(blk(1)), sha(blk(2))]);
    expect(calls.maxInFlight).toBe(2);
    expect(progress.at(-1)).toEqual(r.stats);
    expect(progress.filter((p) => p.blocks === 4 && p.bytesRead === 4000).length).toBeGreaterThan(0);
  });

  test('defaults: batches of 8, 8 uploads at a time', async () => {
    const datas = Array.from({ length: 24 }, (_, i) => blk(i + 1, 10));
    const { target, calls } = naiveTarget();
    const r = await storeBlocks(blocksOf(datas), target, () => {});
    expect(calls.missing.map((m) => m.length)).toEqual([8, 8, 8]);
    expect(calls.maxInFlight).toBe(8);
    expect(r.stats).toEqual({ blocks: 24, blocksUploaded: 24, bytesRead: 240, bytesSent: 240 });
  });

  test('no blocks: nothing asked, empty result', async () => {
    const { target, calls } = naiveTarget();
    const progress: UploadStats[] = [];
    expect(await storeBlocks(blocksOf([]), target, (s) => progress.push({ ...s }))).toEqual({ stored: [], stats: { blocks: 0, blocksUploaded: 0, bytesRead: 0, bytesSent: 0 } });
    expect([calls.missing, progress]).toEqual([[], [{ blocks: 0, blocksUploaded: 0, bytesRead: 0, bytesSent: 0 }]]);
  });

  test('a failed upload or dedup check fails the whole store', async () => {
    const datas = [1, 2, 3, 4, 5].map((s) => blk(s));
    await expect(storeBlocks(blocksOf(datas), naiveTarget([], { upload: sha(blk(2)) }).target, () => {}, { batchBlocks: 2, parallel: 1 })).rejects.toThrow('upload refused');
    await expect(storeBlocks(blocksOf(datas), naiveTarget([], { upload: sha(blk(5)) }).target, () => {}, { batchBlocks: 2, parallel: 4 })).rejects.toThrow('upload refused');
    await expect(storeBlocks(blocksOf(datas), naiveTarget([], { missing: true }).target, () => {}, { batchBlocks: 2 })).rejects.toThrow('dedup check failed');
    await expect(storeBlocks(blocksOf(datas), naiveTarget([], { missing: true }).target, () => {}, { batchBlocks: 8 })).rejects.toThrow('dedup check failed');
  });

  test('a failure in an early batch stops reading: later blocks are never taken from the source', async () => {
    let read = 0;
    async function* source(): AsyncGenerator<Block> {
      for (let i = 0; i < 100; i++) {
        read++;
        yield { offset: i * 10, data: blk(i + 1, 10) };
      }
    }
    await expect(storeBlocks(source(), naiveTarget([], { upload: sha(blk(1, 10)) }).target, () => {}, { batchBlocks: 2, parallel: 1 })).rejects.toThrow('upload refused');
    expect(read).toBeLessThan(100);
  });
});

describe('cutStream', () => {
  const collect = async (chunks: (Buffer | Uint8Array)[], size: number) => {
    const out: Block[] = [];
    async function* s() {
      yield* chunks;
    }
    for await (const b of cutStream(s(), size)) out.push(b);
    return out.map((b) => [b.offset, b.data.toString('hex')]);
  };

  test('fixed-size blocks across chunk boundaries, the last one short', async () => {
    const all = Buffer.from(Array.from({ length: 18 }, (_, i) => i));
    const chunks = [all.subarray(0, 3), all.subarray(3, 13), all.subarray(13, 14), new Uint8Array(all.subarray(14, 18))];
    expect(await collect(chunks, 5)).toEqual([
      [0, '0001020304'], [5, '0506070809'], [10, '0a0b0c0d0e'], [15, '0f1011'],
    ]);
    expect(await collect([all.subarray(0, 10)], 5)).toEqual([[0, '0001020304'], [5, '0506070809']]);
    expect(await collect([], 5)).toEqual([]);
    expect(await collect([Buffer.alloc(0), all.subarray(0, 2)], 5)).toEqual([[0, '0001']]);
  });
});

describe('block alignment and resume extents', () => {
  test('extents rounded out to whole blocks, merged, sorted by number, the last clamped to the capacity', () => {
    expect(alignToBlocks([{ start: 105, length: 1 }, { start: 20, length: 15 }, { start: 0, length: 0 }, { start: 50, length: -5 }], 10, 1000)).toEqual([
      { start: 20, length: 10 }, { start: 30, length: 10 }, { start: 100, length: 10 },
    ]);
    expect(alignToBlocks([{ start: 29, length: 2 }], 10, 1000)).toEqual([{ start: 20, length: 10 }, { start: 30, length: 10 }]);
    expect(alignToBlocks([{ start: 30, length: 10 }], 10, 1000)).toEqual([{ start: 30, length: 10 }]);
    expect(alignToBlocks([{ start: 90, length: 100 }], 40, 100)).toEqual([{ start: 80, length: 20 }]);
    expect(alignToBlocks([{ start: 100, length: 5 }], 10, 100)).toEqual([]);
    // An empty extent inside a block selects nothing.
    expect(alignToBlocks([{ start: 25, length: 0 }], 10, 1000)).toEqual([]);
  });

  test('the part of the extents at or after an offset', () => {
    const x = [{ start: 0, length: 10 }, { start: 20, length: 10 }, { start: 40, length: 10 }];
    expect(extentsFrom(x, 0)).toEqual(x);
    expect(extentsFrom(x, 25)).toEqual([{ start: 25, length: 5 }, { start: 40, length: 10 }]);
    expect(extentsFrom(x, 30)).toEqual([{ start: 40, length: 10 }]);
    expect(extentsFrom(x, 29)).toEqual([{ start: 29, length: 1 }, { start: 40, length: 10 }]);
    expect(extentsFrom(x, 50)).toEqual([]);
  });
});
