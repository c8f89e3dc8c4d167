import { describe, expect, test } from 'vitest';
import { hex } from '../helpers/raw-bytes.ts';
import { decodeStream, lsnDisplay, lsnOf, lsnParts, MAX_STREAM_BYTES, StreamFormatError } from '../../simulators/core/codecs/sql-backup-stream.ts';
import { GOLDEN_LOG_RECORD, goldenImage, goldenStream, sealed, sha256, streamHead } from './sql-stream-bytes.ts';

/*
 * What the SQL backup stream decoder refuses, each with its exact error, on streams built by hand
 * from the layout (sql-stream-bytes.ts). Each malformed case has a well-formed neighbour one byte
 * away, so an off-by-one in a bounds check reads as the wrong error.
 */
function refusal(buf: Buffer): { kind: string; message: string } {
  try {
    decodeStream(buf);
  } catch (err) {
    expect(err).toBeInstanceOf(StreamFormatError);
    const e = err as StreamFormatError;
    return { kind: e.kind, message: e.message };
  }
  throw new Error('decodeStream accepted the stream');
}
const malformed = (message: string) => ({ kind: 'malformed', message });

const head = streamHead();
const PAGE = Buffer.concat([hex('01 07 00 00 00'), goldenImage()]);
/** A LOG record with `len` data bytes, all fields zero but the type and length. */
const logRecord = (len: number) => Buffer.concat([hex('02'), Buffer.alloc(29), Buffer.from([len & 0xff, len >> 8]), Buffer.alloc(len, 0x61)]);

describe('SQL backup stream: magic and header', () => {
  test('fewer than 12 bytes, even with the magic, is not a stream', () => {
    expect(refusal(hex('42 50 53 51 4c 42 4b 31 00 00'))).toEqual(malformed('not a bpsim SQL backup stream'));
    expect(refusal(Buffer.alloc(0))).toEqual(malformed('not a bpsim SQL backup stream'));
  });

  test('another magic is not a stream', () => {
    const other = sealed(Buffer.from('BPSQLBK2'), head.subarray(8));
    expect(refusal(other)).toEqual(malformed('not a bpsim SQL backup stream'));
  });

  test('12 bytes with the magic and header length 0: an empty header is corrupt', () => {
    expect(refusal(hex('42 50 53 51 4c 42 4b 31 00 00 00 00'))).toEqual(malformed('corrupt header'));
  });

  test('a header length past the end is a truncated header; one that ends exactly at the end lacks its END record', () => {
    expect(refusal(head.subarray(0, head.length - 1))).toEqual(malformed('truncated header'));
    expect(refusal(head)).toEqual(malformed('stream ends without its END record'));
  });

  test('header text that is not JSON is corrupt', () => {
    expect(refusal(sealed(streamHead('{"format":"bpsim-sql-backup/1"')))).toEqual(malformed('corrupt header'));
  });

  test.each(['null', '42', '"log"', '[]', '{}', '{"format":"bpsim-sql-backup/2"}'])('header %s is JSON but not a backup set header', (text) => {
    expect(refusal(sealed(streamHead(text)))).toEqual(malformed('header is not a bpsim-sql-backup/1 backup set'));
  });
});

describe('SQL backup stream: records', () => {
  test('a PAGE record short of its 8192-byte image is truncated; a whole one at the end lacks the END record', () => {
    expect(refusal(Buffer.concat([head, PAGE.subarray(0, PAGE.length - 1)]))).toEqual(malformed('truncated page record'));
    expect(refusal(Buffer.concat([head, PAGE.subarray(0, 100)]))).toEqual(malformed('truncated page record'));
    expect(refusal(Buffer.concat([head, PAGE]))).toEqual(malformed('stream ends without its END record'));
  });

  test('a LOG record short of its 32 fixed bytes or of its data is truncated; a whole one at the end lacks the END record', () => {
    expect(refusal(Buffer.concat([head, logRecord(0).subarray(0, 31)]))).toEqual(malformed('truncated log record'));
    expect(refusal(Buffer.concat([head, logRecord(0).subarray(0, 20)]))).toEqual(malformed('truncated log record'));
    expect(refusal(Buffer.concat([head, logRecord(0)]))).toEqual(malformed('stream ends without its END record'));
    expect(refusal(Buffer.concat([head, logRecord(10).subarray(0, 41)]))).toEqual(malformed('truncated log record'));
    expect(refusal(Buffer.concat([head, logRecord(10).subarray(0, 35)]))).toEqual(malformed('truncated log record'));
    expect(refusal(Buffer.concat([head, GOLDEN_LOG_RECORD]))).toEqual(malformed('stream ends without its END record'));
  });

  test('a LOG record with 0 data bytes and one with 300 (length is u16 little-endian) decode', () => {
    const d = decodeStream(sealed(head, logRecord(0), logRecord(300)));
    expect(d.log.map((r) => r.data.length)).toEqual([0, 300]);
    expect(d.log[1]!.data.equals(Buffer.alloc(300, 0x61))).toBe(true);
  });

  test('an unknown record type is refused with its offset', () => {
    expect(refusal(sealed(head, hex('03 00 00 00 00')))).toEqual(malformed(`unknown record type 3 at offset ${head.length}`));
    expect(refusal(sealed(head, PAGE, hex('00')))).toEqual(malformed(`unknown record type 0 at offset ${head.length + 8197}`));
  });
});

describe('SQL backup stream: END record', () => {
  test('a byte after the END record is refused', () => {
    expect(refusal(Buffer.concat([goldenStream(), hex('00')]))).toEqual(malformed('bytes after the END record'));
  });

  test('an END record short of its 32-byte SHA-256 is truncated', () => {
    const golden = goldenStream();
    expect(refusal(golden.subarray(0, golden.length - 1))).toEqual(malformed('truncated END record'));
    expect(refusal(Buffer.concat([head, hex('ff')]))).toEqual(malformed('truncated END record'));
  });

  test('a trailer that is not the SHA-256 of the bytes before it is a checksum error naming both', () => {
    const body = Buffer.concat([head, PAGE]);
    const wrong = sha256('something else');
    const bad = Buffer.concat([body, hex('ff'), wrong]);
    const want = wrong.toString('hex').slice(0, 16);
    const got = sha256(body).toString('hex').slice(0, 16);
    expect(refusal(bad)).toEqual({ kind: 'checksum', message: `stream checksum mismatch (trailer ${want}..., data ${got}...)` });
  });

  test('the smallest stream: a header and the END record', () => {
    const d = decodeStream(sealed(head));
    expect(d.pages).toEqual([]);
    expect(d.log).toEqual([]);
    expect(d.header.backupSetId).toBe('b0000000-0000-4000-8000-000000000001');
  });
});

describe('LSNs (vlf * 10^15 + block * 10^5 + slot, numeric(25,0) in msdb)', () => {
  test('34:123:2 and the largest triple (u32, u32, u16)', () => {
    expect(lsnOf(34, 123, 2)).toBe(34000000012300002n);
    expect(lsnDisplay(34000000012300002n)).toBe('34:123:2');
    expect(lsnOf(4294967295, 4294967295, 65535)).toBe(4294967295429496729565535n);
    expect(lsnParts(4294967295429496729565535n)).toEqual({ vlf: 4294967295, block: 4294967295, slot: 65535 });
    expect(lsnDisplay(1000000000000000n)).toBe('1:0:0');
  });
});

test('a guest takes restore streams of up to 512 MiB (docs/reliability.md)', () => {
  expect(MAX_STREAM_BYTES).toBe(536_870_912);
});
