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

function keystreamCipher(key: Buffer, pos: number) {
  const iv = Buffer.alloc(16);
  // 128-bit big-endian block counter; OpenSSL's CTR carries across all 128 bits.
  const block = BigInt(Math.floor(pos / 16));
  iv.writeBigUInt64BE(block >> 64n, 0);
  iv.writeBigUInt64BE(block & 0xffffffffffffffffn, 8);
  return createCipheriv('aes-128-ctr', key, iv);
}

/** Writes `length` keystream bytes for disk offset `pos` into target[targetOffset..]. */
export function keystreamInto(key: Buffer, pos: number, target: Buffer, targetOffset: number, length: number): void {
  const skip = pos % 16;
  const cipher = keystreamCipher(key, pos);
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

/**
 * `length` keystream bytes for disk offset `pos` as the cipher's own output buffers (at most 1 MiB
 * each): no copy, for a caller that sends them as they are (the NFC server).
 */
export function keystreamSlices(key: Buffer, pos: number, length: number, out: Buffer[]): void {
  const cipher = keystreamCipher(key, pos);
  let drop = pos % 16;
  for (let done = 0; done < length; ) {
    const want = Math.min(ZEROS.length - drop, length - done);
    out.push(cipher.update(ZEROS.subarray(0, want + drop)).subarray(drop));
    done += want;
    drop = 0;
  }
}

/** `length` zero bytes as read-only views of one shared buffer. */
export function zeroSlices(length: number, out: Buffer[]): void {
  for (let done = 0; done < length; done += ZEROS.length) out.push(ZEROS.subarray(0, Math.min(ZEROS.length, length - done)));
}

export function isAllZero(buf: Buffer): boolean {
  for (let off = 0; off < buf.length; off += ZEROS.length) {
    const n = Math.min(ZEROS.length, buf.length - off);
    if (!buf.subarray(off, off + n).equals(ZEROS.subarray(0, n))) return false;
  }
  return true;
}
