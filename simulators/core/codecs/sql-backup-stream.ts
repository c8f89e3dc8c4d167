import { createHash } from 'node:crypto';
import { sha256Hex } from './sha256.ts';

/**
 * The SQL backup stream guestossvc hands the proxy (and takes back for a restore): a small
 * self-describing format, in the spirit of SQL Server's own backup media (header, data pages, log
 * records, trailer). Shared by the guest and the proxy's client. Layout (little-endian):
 *
 *   "BPSQLBK1"  u32 headerLength  header JSON (BackupSetHeader)
 *   records:    u8 1 PAGE  u32 pageId  8192 bytes page image
 *               u8 2 LOG   u8 op  LSN(10)  f64 timeMs  u32 xactId  u32 pageId  u16 offset  u16 length  bytes
 *               u8 0xFF END  32 bytes SHA-256 of every byte before the END record
 *
 * An LSN is SQL Server's triple (VLF sequence u32, block offset u32, slot u16); as a number it is
 * vlf * 10^15 + block * 10^5 + slot (numeric(25,0) in msdb), carried as a decimal string in JSON.
 */
export const STREAM_MAGIC = 'BPSQLBK1';
export const PAGE_SIZE = 8192;
export const PAGE_HEADER = 96;
/** Largest restore stream a guest accepts. */
export const MAX_STREAM_BYTES = 512 * 1024 * 1024;

export type SqlBackupKind = 'full' | 'diff' | 'log' | 'copy-only';
export type RecoveryModel = 'SIMPLE' | 'FULL' | 'BULK_LOGGED';

export interface BackupSetHeader {
  format: 'bpsim-sql-backup/1';
  backupSetId: string;
  type: SqlBackupKind;
  /** vss (SqlServerWriter snapshot) or native (BACKUP LOG to a virtual device). */
  method: 'vss' | 'native';
  server: string;
  instance: string;
  database: string;
  /** The database's family GUID: restores of logs and differentials check it. */
  familyGuid: string;
  recoveryModel: RecoveryModel;
  firstLsn: string;
  lastLsn: string;
  checkpointLsn: string;
  databaseBackupLsn: string;
  differentialBaseLsn: string | null;
  backupStartDate: string;
  backupFinishDate: string;
  pageCount: number;
  logRecordCount: number;
  /** SHA-256 of the database pages as of lastLsn (what a restore to this point must reproduce). */
  databaseChecksum: string;
}

export const LogOp = { BEGIN_XACT: 1, MODIFY_ROW: 2, COMMIT_XACT: 3, CHECKPOINT: 4, BACKUP_MARK: 5 } as const;
export type LogOpCode = (typeof LogOp)[keyof typeof LogOp];

export interface LogRecord {
  op: LogOpCode;
  lsn: bigint;
  timeMs: number;
  xact: number;
  pageId: number;
  offset: number;
  data: Buffer;
}

export interface PageRecord {
  pageId: number;
  image: Buffer;
}

export interface DecodedStream {
  header: BackupSetHeader;
  pages: PageRecord[];
  log: LogRecord[];
  sha256: string;
}

export class StreamFormatError extends Error {
  constructor(message: string, readonly kind: 'malformed' | 'checksum') {
    super(message);
  }
}

const LSN_BLOCK = 100_000n;
const LSN_VLF = 1_000_000_000_000_000n;

export function lsnOf(vlf: number, block: number, slot: number): bigint {
  return BigInt(vlf) * LSN_VLF + BigInt(block) * LSN_BLOCK + BigInt(slot);
}

export function lsnParts(lsn: bigint): { vlf: number; block: number; slot: number } {
  return { vlf: Number(lsn / LSN_VLF), block: Number((lsn % LSN_VLF) / LSN_BLOCK), slot: Number(lsn % LSN_BLOCK) };
}

/** The form the SQL error log prints: "34:123:1". */
export function lsnDisplay(lsn: bigint): string {
  const p = lsnParts(lsn);
  return `${p.vlf}:${p.block}:${p.slot}`;
}

function writeLsn(buf: Buffer, off: number, lsn: bigint): void {
  const p = lsnParts(lsn);
  buf.writeUInt32LE(p.vlf, off);
  buf.writeUInt32LE(p.block, off + 4);
  buf.writeUInt16LE(p.slot, off + 8);
}

function readLsn(buf: Buffer, off: number): bigint {
  return lsnOf(buf.readUInt32LE(off), buf.readUInt32LE(off + 4), buf.readUInt16LE(off + 8));
}

/** Encodes a backup set; returns the chunks (for streaming) with their total size and SHA-256. */
export function encodeStream(header: BackupSetHeader, pages: Iterable<PageRecord>, log: Iterable<LogRecord>): { chunks: Buffer[]; bytes: number; sha256: string } {
  const hash = createHash('sha256');
  const chunks: Buffer[] = [];
  let bytes = 0;
  const push = (b: Buffer) => {
    hash.update(b);
    chunks.push(b);
    bytes += b.length;
  };
  const json = Buffer.from(JSON.stringify(header));
  const head = Buffer.alloc(12);
  head.write(STREAM_MAGIC, 0, 'latin1');
  head.writeUInt32LE(json.length, 8);
  push(Buffer.concat([head, json]));
  for (const p of pages) {
    const rec = Buffer.alloc(5);
    rec[0] = 1;
    rec.writeUInt32LE(p.pageId, 1);
    push(Buffer.concat([rec, p.image]));
  }
  for (const r of log) {
    const rec = Buffer.alloc(34);
    rec[0] = 2;
    rec[1] = r.op;
    writeLsn(rec, 2, r.lsn);
    rec.writeDoubleLE(r.timeMs, 12);
    rec.writeUInt32LE(r.xact, 20);
    rec.writeUInt32LE(r.pageId, 24);
    rec.writeUInt16LE(r.offset, 28);
    rec.writeUInt16LE(r.data.length, 30);
    push(Buffer.concat([rec.subarray(0, 32), r.data]));
  }
  const sha = hash.digest();
  const end = Buffer.concat([Buffer.from([0xff]), sha]);
  chunks.push(end);
  bytes += end.length;
  return { chunks, bytes, sha256: sha256Hex(Buffer.concat(chunks)) };
}

/** Decodes and verifies a whole stream (what RESTORE does before it touches the database). */
export function decodeStream(buf: Buffer): DecodedStream {
  if (buf.length < 12 || buf.subarray(0, 8).toString('latin1') !== STREAM_MAGIC) throw new StreamFormatError('not a bpsim SQL backup stream', 'malformed');
  const hlen = buf.readUInt32LE(8);
  if (12 + hlen > buf.length) throw new StreamFormatError('truncated header', 'malformed');
  let header: BackupSetHeader;
  try {
    header = JSON.parse(buf.subarray(12, 12 + hlen).toString('utf8')) as BackupSetHeader;
  } catch {
    throw new StreamFormatError('corrupt header', 'malformed');
  }
  // A well-framed stream whose header is other JSON (null, a number, another format) would reach
  // RESTORE as a header without fields: SQL Server calls any foreign media malformed.
  if ((header as Partial<BackupSetHeader> | null)?.format !== 'bpsim-sql-backup/1') throw new StreamFormatError('header is not a bpsim-sql-backup/1 backup set', 'malformed');
  const pages: PageRecord[] = [];
  const log: LogRecord[] = [];
  let off = 12 + hlen;
  for (;;) {
    if (off >= buf.length) throw new StreamFormatError('stream ends without its END record', 'malformed');
    const type = buf[off]!;
    if (type === 1) {
      if (off + 5 + PAGE_SIZE > buf.length) throw new StreamFormatError('truncated page record', 'malformed');
      pages.push({ pageId: buf.readUInt32LE(off + 1), image: Buffer.from(buf.subarray(off + 5, off + 5 + PAGE_SIZE)) });
      off += 5 + PAGE_SIZE;
    } else if (type === 2) {
      if (off + 32 > buf.length) throw new StreamFormatError('truncated log record', 'malformed');
      const len = buf.readUInt16LE(off + 30);
      if (off + 32 + len > buf.length) throw new StreamFormatError('truncated log record', 'malformed');
      log.push({
        op: buf[off + 1] as LogOpCode,
        lsn: readLsn(buf, off + 2),
        timeMs: buf.readDoubleLE(off + 12),
        xact: buf.readUInt32LE(off + 20),
        pageId: buf.readUInt32LE(off + 24),
        offset: buf.readUInt16LE(off + 28),
        data: Buffer.from(buf.subarray(off + 32, off + 32 + len)),
      });
      off += 32 + len;
    } else if (type === 0xff) {
      if (off + 33 > buf.length) throw new StreamFormatError('truncated END record', 'malformed');
      if (off + 33 < buf.length) throw new StreamFormatError('bytes after the END record', 'malformed');
      const want = buf.subarray(off + 1, off + 33).toString('hex');
      const got = sha256Hex(buf.subarray(0, off));
      if (want !== got) throw new StreamFormatError(`stream checksum mismatch (trailer ${want.slice(0, 16)}..., data ${got.slice(0, 16)}...)`, 'checksum');
      return { header, pages, log, sha256: sha256Hex(buf) };
    } else {
      throw new StreamFormatError(`unknown record type ${type} at offset ${off}`, 'malformed');
    }
  }
}
