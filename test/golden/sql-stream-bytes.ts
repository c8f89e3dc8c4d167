import { createHash } from 'node:crypto';
import { hex } from '../helpers/raw-bytes.ts';
import type { BackupSetHeader } from '../../simulators/core/codecs/sql-backup-stream.ts';

/*
 * SQL backup streams built by hand from the documented layout (sql-backup-stream.ts, docs/guest.md),
 * hashed with node:crypto, never with the product's encoder or sha256Hex.
 */
export const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest();

export const HEADER: BackupSetHeader = {
  format: 'bpsim-sql-backup/1', backupSetId: 'b0000000-0000-4000-8000-000000000001', type: 'log', method: 'native',
  server: 'sql01', instance: 'MSSQLSERVER', database: 'Db', familyGuid: 'f0000000-0000-4000-8000-000000000002',
  recoveryModel: 'FULL', firstLsn: '34000000012300001', lastLsn: '34000000012300003', checkpointLsn: '34000000012300001',
  databaseBackupLsn: '34000000012300001', differentialBaseLsn: null, backupStartDate: '2026-11-01T00:00:00.000Z',
  backupFinishDate: '2026-11-01T00:00:01.000Z', pageCount: 1, logRecordCount: 1, databaseChecksum: '00'.repeat(32),
};

/** "BPSQLBK1", u32 little-endian length of the header text, the header text. */
export function streamHead(headerText: string = JSON.stringify(HEADER)): Buffer {
  const json = Buffer.from(headerText);
  const len = Buffer.alloc(4);
  len.writeUInt32LE(json.length);
  return Buffer.concat([hex('42 50 53 51 4c 42 4b 31'), len, json]);
}

/** The body followed by its END record: FF and the SHA-256 of every byte before it. */
export function sealed(...body: Buffer[]): Buffer {
  const b = Buffer.concat(body);
  return Buffer.concat([b, hex('ff'), sha256(b)]);
}

/** The 8 KiB page image of the golden stream: byte i is (i * 31) mod 256. */
export function goldenImage(): Buffer {
  const image = Buffer.alloc(8192);
  for (let i = 0; i < image.length; i++) image[i] = (i * 31) & 0xff;
  return image;
}

/** LOG: op 2 MODIFY_ROW, LSN 34:123:2 = 22 00 00 00 | 7b 00 00 00 | 02 00, time 1700000000000 ms, xact 9, page 7, offset 0x60, length 3, data "abc". */
export const GOLDEN_LOG_RECORD = hex('02 02 22 00 00 00 7b 00 00 00 02 00 00 00 80 56 fe bc 78 42 09 00 00 00 07 00 00 00 60 00 03 00 61 62 63');

/** HEADER, one PAGE record (page 7, goldenImage) and GOLDEN_LOG_RECORD, sealed. */
export function goldenStream(): Buffer {
  return sealed(streamHead(), hex('01 07 00 00 00'), goldenImage(), GOLDEN_LOG_RECORD);
}
