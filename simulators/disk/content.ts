import { createCipheriv, createHash } from 'node:crypto';

/**
 * Disk bytes that were never stored: AES-128-CTR keystream keyed by a seed, with the counter set
 * from the byte offset, so any range of any disk is regenerated at memory speed and the same seed
 * always gives the same bytes.
 */
const ZEROS = Buffer.alloc(1 << 20);

export function streamKey(seed: string): Buffer {
  return createHash('sha256').update(seed).digest().subarray(0, 16);
}

/** Writes `length` keystream bytes for disk offset `pos` into target[targetOffset..]. */
export function keystreamInto(key: Buffer, pos: number, target: Buffer, targetOffset: number, length: number): void {
  const skip = pos % 16;
  const iv = Buffer.alloc(16);
  // 128-bit big-endian block counter; OpenSSL's CTR carries across all 128 bits.
  const block = BigInt(Math.floor(pos / 16));
  iv.writeBigUInt64BE(block >> 64n, 0);
  iv.writeBigUInt64BE(block & 0xffffffffffffffffn, 8);
  const cipher = createCipheriv('aes-128-ctr', key, iv);
  let done = 0;
  let drop = skip;
  while (done < length) {
    const want = Math.min(ZEROS.length - drop, length - done);
    const out = cipher.update(ZEROS.subarray(0, want + drop));
    out.copy(target, targetOffset + done, drop, drop + want);
    done += want;
    drop = 0;
  }
}

export function isAllZero(buf: Buffer): boolean {
  for (let off = 0; off < buf.length; off += ZEROS.length) {
    const n = Math.min(ZEROS.length, buf.length - off);
    if (!buf.subarray(off, off + n).equals(ZEROS.subarray(0, n))) return false;
  }
  return true;
}
