import { createHash } from 'node:crypto';
import { keystreamInto, streamKey } from '../../simulators/disk/content.ts';

const MiB = 2 ** 20;

export interface CpuFloor {
  sha256MBps: number;
  contentMBps: number;
  /** Best possible backup MiB/s on one core: the CPU work per byte with no overhead at all. */
  oneCoreMBps: number;
  /**
   * Best possible with the lab and the proxy each on a free core, split as the bench runs them: the
   * lab generates, encrypts 902, decrypts the upload and verifies SHA-256; the proxy decrypts 902,
   * hashes and encrypts the upload (each side half of each TLS hop). The busier side, the lab, sets it.
   */
  twoCoreMBps: number;
}

function rate(bytes: number, fn: (chunk: Buffer, offset: number) => void): number {
  const chunk = Buffer.allocUnsafe(MiB);
  const t0 = performance.now();
  for (let off = 0; off < bytes; off += MiB) fn(chunk, off);
  return bytes / MiB / ((performance.now() - t0) / 1000);
}

/**
 * The work a backup byte cannot avoid, measured here and now: generating it (the disk model's
 * AES-CTR), two TLS hops (902 and the upload, each the cost of the raw pipe), and SHA-256 twice
 * (the proxy's dedup hash and CloudCache's verification). Its inverse sum is the one-core ceiling.
 */
export function cpuFloor(pipeMBps: number, bytes = 256 * MiB): CpuFloor {
  const sha256MBps = rate(bytes, (c) => createHash('sha256').update(c).digest());
  const key = streamKey('bench-floor');
  const contentMBps = rate(bytes, (c, off) => keystreamInto(key, off, c, 0, c.length));
  const oneCoreMBps = 1 / (1 / contentMBps + 2 / pipeMBps + 2 / sha256MBps);
  const twoCoreMBps = 1 / Math.max(1 / contentMBps + 1 / pipeMBps + 1 / sha256MBps, 1 / pipeMBps + 1 / sha256MBps);
  return { sha256MBps, contentMBps, oneCoreMBps, twoCoreMBps };
}
