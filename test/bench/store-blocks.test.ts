import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { storeBlocks, type Block } from '../../proxy/flows/blocks.ts';
import type { DataTarget } from '../../proxy/flows/data-target.ts';

const hashOf = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** A target that already holds some blocks, records uploads, and can fail one upload. */
function fakeTarget(opts: { has?: string[]; failOn?: string } = {}) {
  const stored = new Set(opts.has ?? []);
  const uploads: string[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const target = {
    name: 'cloudcache',
    async missing(hashes: string[]) {
      return hashes.filter((h) => !stored.has(h));
    },
    async upload(data: Buffer, hash: string) {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((r) => setTimeout(r, 1 + (data[0]! % 3)));
      inFlight--;
      if (hash === opts.failOn) throw new Error(`upload of ${hash} failed`);
      uploads.push(hash);
      stored.add(hash);
    },
  };
  return { target: target as unknown as DataTarget, uploads, maxInFlight: () => maxInFlight };
}

async function* blocks(contents: number[]): AsyncGenerator<Block> {
  for (const [i, c] of contents.entries()) yield { offset: i * 4, data: Buffer.from([c, c, c, c]) };
}

describe('storeBlocks', () => {
  it('uploads each missing block once, across batches, with at most `parallel` in flight, and keeps input order', async () => {
    const contents = Array.from({ length: 40 }, (_, i) => i % 13); // repeats across batches of 4
    const known = hashOf(Buffer.from([5, 5, 5, 5]));
    const t = fakeTarget({ has: [known] });
    const { stored, stats } = await storeBlocks(blocks(contents), t.target, () => {}, { batchBlocks: 4, parallel: 3 });
    expect(stored.map((s) => s.offset)).toEqual(contents.map((_, i) => i * 4));
    expect(stored.map((s) => s.hash)).toEqual(contents.map((c) => hashOf(Buffer.from([c, c, c, c]))));
    expect(new Set(t.uploads).size).toBe(t.uploads.length);
    expect(t.uploads).toHaveLength(12); // 13 distinct contents, one already stored
    expect(t.uploads).not.toContain(known);
    expect(stats).toMatchObject({ blocks: 40, blocksUploaded: 12, bytesRead: 160, bytesSent: 48 });
    expect(t.maxInFlight()).toBeLessThanOrEqual(3);
  });

  it('fails with the upload error, not silently', async () => {
    const failing = hashOf(Buffer.from([7, 7, 7, 7]));
    const t = fakeTarget({ failOn: failing });
    await expect(storeBlocks(blocks(Array.from({ length: 30 }, (_, i) => i)), t.target, () => {}, { batchBlocks: 4, parallel: 2 })).rejects.toThrow(/upload of .* failed/);
  });

  it('releases each block exactly once, only after its upload settled or it was found not needed', async () => {
    const contents = Array.from({ length: 40 }, (_, i) => i % 13);
    const known = hashOf(Buffer.from([5, 5, 5, 5]));
    const t = fakeTarget({ has: [known] });
    const uploading = new Set<Buffer>();
    const corrupted: string[] = [];
    const upload = t.target.upload.bind(t.target);
    t.target.upload = async (data, hash) => {
      uploading.add(data);
      try {
        await upload(data, hash);
        // What a server would verify once the whole body arrived.
        if (hashOf(data) !== hash) corrupted.push(hash);
      } finally {
        uploading.delete(data);
      }
    };
    const released: Buffer[] = [];
    const source = blocks(contents);
    const { stats } = await storeBlocks(source, t.target, () => {}, {
      batchBlocks: 4,
      parallel: 3,
      release: (data) => {
        // A buffer handed back is reused at once: it must not be on its way to the target any more.
        expect(uploading.has(data)).toBe(false);
        released.push(data);
        data.fill(0xee);
      },
    });
    expect(stats.blocksUploaded).toBe(12);
    expect(released).toHaveLength(40);
    expect(new Set(released).size).toBe(40);
    expect(corrupted).toEqual([]);
  });

  it('does not release blocks when an upload fails (their fate is unknown)', async () => {
    const failing = hashOf(Buffer.from([7, 7, 7, 7]));
    const t = fakeTarget({ failOn: failing });
    const released: Buffer[] = [];
    await expect(storeBlocks(blocks(Array.from({ length: 30 }, (_, i) => i)), t.target, () => {}, { batchBlocks: 4, parallel: 2, release: (d) => released.push(d) })).rejects.toThrow();
    expect(released.some((d) => d[0] === 7)).toBe(false);
  });
});
