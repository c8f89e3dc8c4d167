import type { DataTarget } from './data-target.ts';
import { sha256Hex } from '../../simulators/core/codecs/sha256.ts';

export interface Block {
  offset: number;
  data: Buffer;
}

export interface StoredBlock {
  offset: number;
  length: number;
  hash: string;
}

export interface UploadStats {
  blocks: number;
  blocksUploaded: number;
  bytesRead: number;
  bytesSent: number;
}

/**
 * Hashes blocks, asks the target which it is missing a batch at a time, and uploads only those
 * through a pool of `parallel` uploads. The three stages overlap: while one batch is being checked
 * and uploaded the next is read, so the source (902, guestossvc) keeps streaming, and an upload
 * starts as soon as any other ends (no per-group barrier: one slow upload does not idle the rest).
 * Memory stays bounded: at most two batches plus the uploads in flight are held. Returns every
 * block's place and hash, in input order. `release` gets each block's data once nothing here holds
 * it any more: after the missing-check for a block not sent, after its upload settled for the others
 * (a retry resends the same buffer inside the upload). On a failure, blocks are not released.
 */
export async function storeBlocks(
  source: AsyncIterable<Block>,
  target: DataTarget,
  onProgress: (stats: UploadStats) => void,
  opts: { batchBlocks?: number; parallel?: number; release?: (data: Buffer) => void } = {},
): Promise<{ stored: StoredBlock[]; stats: UploadStats }> {
  const batchBlocks = opts.batchBlocks ?? 8;
  const parallel = opts.parallel ?? 8;
  const release = opts.release ?? (() => {});
  const stats: UploadStats = { blocks: 0, blocksUploaded: 0, bytesRead: 0, bytesSent: 0 };
  const stored: StoredBlock[] = [];
  // Hashes this call has uploaded or is uploading: a block repeated across batches goes once.
  const sent = new Set<string>();
  const uploads = new Set<Promise<void>>();
  let failure: { error: unknown } | undefined;
  let checking: Promise<void> = Promise.resolve();

  const startUpload = (b: Block & { hash: string }) => {
    const p: Promise<void> = target.upload(b.data, b.hash).then(
      () => {
        stats.blocksUploaded++;
        stats.bytesSent += b.data.length;
        release(b.data);
        onProgress(stats);
      },
      (error: unknown) => void (failure ??= { error }),
    ).finally(() => uploads.delete(p));
    uploads.add(p);
  };
  const slot = async () => {
    while (uploads.size >= parallel) await Promise.race(uploads);
    if (failure) throw failure.error;
  };
  const flush = async (batch: (Block & { hash: string })[]) => {
    const missing = new Set(await target.missing([...new Set(batch.map((b) => b.hash))]));
    for (const b of batch) {
      if (!missing.has(b.hash) || sent.has(b.hash)) {
        release(b.data);
        continue;
      }
      sent.add(b.hash);
      await slot();
      startUpload(b);
    }
  };

  let batch: (Block & { hash: string })[] = [];
  for await (const block of source) {
    const hash = sha256Hex(block.data);
    batch.push({ ...block, hash });
    stored.push({ offset: block.offset, length: block.data.length, hash });
    stats.blocks++;
    stats.bytesRead += block.data.length;
    if (batch.length >= batchBlocks) {
      await checking;
      if (failure) throw failure.error;
      checking = flush(batch);
      // Surface a failure at the next await, not as an unhandled rejection.
      checking.catch(() => {});
      batch = [];
      onProgress(stats);
    }
  }
  await checking;
  if (batch.length) await flush(batch);
  await Promise.all(uploads);
  if (failure) throw failure.error;
  onProgress(stats);
  return { stored, stats };
}

/** Cuts a byte stream (a SQL backup stream) into blocks of `size`, with offsets. */
export async function* cutStream(stream: AsyncIterable<Buffer | Uint8Array>, size: number): AsyncGenerator<Block> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let offset = 0;
  for await (const chunk of stream) {
    let buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
    while (buf.length) {
      const take = Math.min(size - pendingBytes, buf.length);
      pending.push(buf.subarray(0, take));
      pendingBytes += take;
      buf = buf.subarray(take);
      if (pendingBytes === size) {
        yield { offset, data: Buffer.concat(pending, size) };
        offset += size;
        pending = [];
        pendingBytes = 0;
      }
    }
  }
  if (pendingBytes) yield { offset, data: Buffer.concat(pending, pendingBytes) };
}

/** Disk extents rounded out to whole blocks of `size` (clamped to the capacity), merged and sorted. */
export function alignToBlocks(extents: { start: number; length: number }[], size: number, capacity: number): { start: number; length: number }[] {
  const indices = new Set<number>();
  for (const e of extents) {
    if (e.length <= 0) continue;
    const first = Math.floor(e.start / size);
    const last = Math.floor((e.start + e.length - 1) / size);
    for (let i = first; i <= last; i++) indices.add(i);
  }
  return [...indices]
    .sort((a, b) => a - b)
    .map((i) => ({ start: i * size, length: Math.min(size, capacity - i * size) }))
    .filter((e) => e.length > 0);
}
