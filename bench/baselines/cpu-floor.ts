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
  /** oneCoreMBps from CPU seconds instead of wall time (pipe, content and hash alike): what other load barely changes. */
  oneCoreCpuMBps: number;
}

/** MiB per second of wall time and per CPU second. */
function rate(bytes: number, fn: (chunk: Buffer, offset: number) => void): { wall: number; cpu: number } {
  const chunk = Buffer.allocUnsafe(MiB);
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  for (let off = 0; off < bytes; off += MiB) fn(chunk, off);
  const c = process.cpuUsage(c0);
  return { wall: bytes / MiB / ((performance.now() - t0) / 1000), cpu: bytes / MiB / ((c.user + c.system) / 1e6) };
}

/**
 * The work a backup byte cannot avoid, measured here and now: generating it (the disk model's
 * AES-CTR), two TLS hops (902 and the upload, each the cost of the raw pipe), and SHA-256 twice
 * (the proxy's dedup hash and CloudCache's verification). Its inverse sum is the one-core ceiling.
 */
export function cpuFloor(pipe: { wall: number; cpu: number }, bytes = 256 * MiB): CpuFloor {
  const sha = rate(bytes, (c) => createHash('sha256').update(c).digest());
  const key = streamKey('bench-floor');
  const content = rate(bytes, (c, off) => keystreamInto(key, off, c, 0, c.length));
  const oneCore = (p: number, c: number, s: number) => 1 / (1 / c + 2 / p + 2 / s);
  const twoCoreMBps = 1 / Math.max(1 / content.wall + 1 / pipe.wall + 1 / sha.wall, 1 / pipe.wall + 1 / sha.wall);
  return {
    sha256MBps: sha.wall, contentMBps: content.wall, twoCoreMBps,
    oneCoreMBps: oneCore(pipe.wall, content.wall, sha.wall),
    oneCoreCpuMBps: oneCore(pipe.cpu, content.cpu, sha.cpu),
  };
}
