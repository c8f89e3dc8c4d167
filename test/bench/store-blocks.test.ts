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
});
