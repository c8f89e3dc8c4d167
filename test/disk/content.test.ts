import { describe, expect, test } from 'vitest';
import { createCipheriv, createHash } from 'node:crypto';
import { isAllZero, keystreamInto, keystreamSlices, streamKey, zeroSlices } from '../../simulators/disk/content.ts';

/*
 * Seeded disk content is AES-128-CTR keystream with the key from SHA-256 of the seed and the
 * counter at the byte offset / 16: the truth here is one cipher run from offset 0 over the whole
 * range (what the content is by definition), against which reads that start and end anywhere,
 * cross the 1 MiB work buffer, and come as slices, are compared.
 */
const MiB = 1024 ** 2;
const key = streamKey('content-test');
const WHOLE = createCipheriv('aes-128-ctr', key, Buffer.alloc(16)).update(Buffer.alloc(3 * MiB + 64));

describe('keystream content', () => {
  test('streamKey is the first 16 bytes of SHA-256 of the seed', () => {
    expect(streamKey('abc').toString('hex')).toBe(createHash('sha256').update('abc').digest().subarray(0, 16).toString('hex'));
    expect(streamKey('abc').toString('hex')).toBe('ba7816bf8f01cfea414140de5dae2223');
  });

  test('keystreamInto gives the bytes at any offset and length, into any target position', () => {
    for (const [pos, len] of [[0, 16], [0, 1], [5, 11], [17, 100], [16, 32], [MiB - 3, 10], [7, 2 * MiB + 9], [MiB + 1, MiB], [0, 3 * MiB + 64]]) {
      const target = Buffer.alloc(len! + 10, 0xee);
      keystreamInto(key, pos!, target, 4, len!);
      expect(target.subarray(4, 4 + len!).equals(WHOLE.subarray(pos!, pos! + len!)), `${pos}+${len}`).toBe(true);
      expect(target.subarray(0, 4)).toEqual(Buffer.alloc(4, 0xee));
      expect(target.subarray(4 + len!)).toEqual(Buffer.alloc(6, 0xee));
    }
  });

  test('keystreamSlices gives the same bytes in slices of at most 1 MiB', () => {
    for (const [pos, len] of [[0, 16], [5, 11], [MiB - 3, 10], [7, 2 * MiB + 9], [0, 3 * MiB + 64], [33, 0]]) {
      const out: Buffer[] = [];
      keystreamSlices(key, pos!, len!, out);
      expect(out.every((s) => s.length > 0 && s.length <= MiB)).toBe(true);
      expect(Buffer.concat(out).equals(WHOLE.subarray(pos!, pos! + len!)), `${pos}+${len}`).toBe(true);
    }
  });

  test('a position past 2^32 cipher blocks keeps counting (the counter is the whole offset / 16)', () => {
    // Block 2^32 + 1: the counter's low 64 bits are 0x00000001_00000001.
    const pos = (2 ** 32 + 1) * 16 + 3;
    const iv = Buffer.alloc(16);
    iv.writeUInt32BE(1, 8);
    iv.writeUInt32BE(1, 12);
    const want = createCipheriv('aes-128-ctr', key, iv).update(Buffer.alloc(64)).subarray(3, 3 + 40);
    const got = Buffer.alloc(40);
    keystreamInto(key, pos, got, 0, 40);
    expect(got).toEqual(want);
    const out: Buffer[] = [];
    keystreamSlices(key, pos, 40, out);
    expect(Buffer.concat(out)).toEqual(want);
  });
});

describe('zeros', () => {
  test('zeroSlices gives the length in zero slices of at most 1 MiB', () => {
    for (const len of [0, 1, MiB, MiB + 1, 3 * MiB]) {
      const out: Buffer[] = [];
      zeroSlices(len, out);
      expect(out.map((s) => s.length)).toEqual(len === 0 ? [] : len === 1 ? [1] : len === MiB ? [MiB] : len === MiB + 1 ? [MiB, 1] : [MiB, MiB, MiB]);
      expect(out.every((s) => s.every((b) => b === 0))).toBe(true);
    }
  });

  test('isAllZero looks at every byte, past the first MiB too', () => {
    expect(isAllZero(Buffer.alloc(0))).toBe(true);
    expect(isAllZero(Buffer.alloc(2 * MiB + 5))).toBe(true);
    for (const at of [0, 511, MiB - 1, MiB, 2 * MiB + 4]) {
      const b = Buffer.alloc(2 * MiB + 5);
      b[at] = 1;
      expect(isAllZero(b), String(at)).toBe(false);
    }
  });
});
