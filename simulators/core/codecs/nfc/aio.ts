import { AIO_HEADER_SIZE, AIO_MAGIC, AioMsg, IO_READ, NFC_FILE_TYPE_DISK, SECTOR_SIZE } from './constants.ts';
import type { NfcErrorBody } from './classic.ts';

export interface AioHeader {
  magic: number;
  type: number;
  /** Payload bytes after the header (extras such as paths and data are not counted). */
  size: number;
  opId: number;
}

export function encodeAioHeader(type: number, size: number, opId: number, into?: Buffer): Buffer {
  const b = into ?? Buffer.allocUnsafe(AIO_HEADER_SIZE);
  b.writeUInt32LE(AIO_MAGIC, 0);
  b.writeUInt32LE(type, 4);
  b.writeUInt32LE(size, 8);
  b.writeUInt32LE(opId >>> 0, 12);
  return b;
}

export function decodeAioHeader(b: Buffer): AioHeader {
  return { magic: b.readUInt32LE(0), type: b.readUInt32LE(4), size: b.readUInt32LE(8), opId: b.readUInt32LE(12) };
}

/** Header and payload in one buffer (one write, one TLS record). */
export function aioMessage(type: number, opId: number, payload: Buffer): Buffer {
  const b = Buffer.allocUnsafe(AIO_HEADER_SIZE + payload.length);
  encodeAioHeader(type, payload.length, opId, b);
  payload.copy(b, AIO_HEADER_SIZE);
  return b;
}

/** OPEN_FILE request: 60-byte payload; the path follows as an extra (no NUL). */
export function encodeOpenFile(pathLength: number, flags: number): Buffer {
  const b = Buffer.alloc(60);
  b.writeUInt32LE(pathLength, 0);
  b.writeUInt32LE(NFC_FILE_TYPE_DISK, 16);
  b.writeUInt32LE(flags, 20);
  return b;
}

export function decodeOpenFile(p: Buffer): { pathLength: number; fileType: number; flags: number } {
  return { pathLength: p.readUInt32LE(0), fileType: p.readUInt32LE(16), flags: p.readUInt32LE(20) };
}

export interface OpenFileReply {
  handle: bigint;
  fileType: number;
  flags: number;
  sectorSize: number;
  /** bpsim extension at offset 40 (zero in the captures): the disk capacity in bytes. */
  capacity: number;
}

export function encodeOpenFileReply(r: OpenFileReply): Buffer {
  const b = Buffer.alloc(60);
  b.writeBigUInt64LE(r.handle, 8);
  b.writeUInt32LE(r.fileType, 16);
  b.writeUInt32LE(r.flags, 20);
  b.writeUInt32LE(r.sectorSize, 36);
  b.writeBigUInt64LE(BigInt(r.capacity), 40);
  return b;
}

export function decodeOpenFileReply(p: Buffer): OpenFileReply {
  return {
    handle: p.readBigUInt64LE(8),
    fileType: p.readUInt32LE(16),
    flags: p.readUInt32LE(20),
    sectorSize: p.readUInt32LE(36) || SECTOR_SIZE,
    capacity: p.length >= 48 ? Number(p.readBigUInt64LE(40)) : 0,
  };
}

/**
 * The 44-byte IO payload. A read request carries {handle, op, offset, u64 length, length, length, 0};
 * write fragments and read-reply fragments carry {handle, op, offset, u32 total, u32 fragment
 * offset, u32 fragment length, u32 extra length, 0}.
 */
export interface IoFields {
  handle: bigint;
  /** Low 32 bits: 1 read, 0 write. High 32 bits: compression (0 none, 2 FastLZ). */
  direction: number;
  compression: number;
  offset: number;
  total: number;
  fragmentOffset: number;
  fragmentLength: number;
  extraLength: number;
}

export const IO_PAYLOAD_SIZE = 44;

export function encodeIo(f: IoFields, into?: Buffer, at = 0): Buffer {
  const b = into ?? Buffer.allocUnsafe(IO_PAYLOAD_SIZE);
  b.writeBigUInt64LE(f.handle, at);
  b.writeUInt32LE(f.direction, at + 8);
  b.writeUInt32LE(f.compression, at + 12);
  b.writeBigUInt64LE(BigInt(f.offset), at + 16);
  b.writeUInt32LE(f.total, at + 24);
  b.writeUInt32LE(f.fragmentOffset, at + 28);
  b.writeUInt32LE(f.fragmentLength, at + 32);
  b.writeUInt32LE(f.extraLength, at + 36);
  b.writeUInt32LE(0, at + 40);
  return b;
}

export function decodeIo(p: Buffer): IoFields {
  return {
    handle: p.readBigUInt64LE(0),
    direction: p.readUInt32LE(8),
    compression: p.readUInt32LE(12),
    offset: Number(p.readBigUInt64LE(16)),
    total: p.readUInt32LE(24),
    fragmentOffset: p.readUInt32LE(28),
    fragmentLength: p.readUInt32LE(32),
    extraLength: p.readUInt32LE(36),
  };
}

/** A read request: the length is a u64 at 24 (total + fragment offset read as one number). */
export function encodeReadRequest(handle: bigint, offset: number, length: number): Buffer {
  const b = encodeIo({ handle, direction: IO_READ, compression: 0, offset, total: 0, fragmentOffset: 0, fragmentLength: length, extraLength: length });
  b.writeBigUInt64LE(BigInt(length), 24);
  return b;
}

export function readRequestLength(p: Buffer): number {
  return Number(p.readBigUInt64LE(24));
}

/** AIO ERROR (type 1): {u32 errType, u32 errCode, u32 msgLen, text}, all counted in the header size. */
export function encodeAioError(opId: number, e: NfcErrorBody): Buffer {
  const text = Buffer.from(e.message, 'utf8').subarray(0, 1024);
  const p = Buffer.alloc(12 + text.length);
  p.writeUInt32LE(e.errType, 0);
  p.writeUInt32LE(e.errCode, 4);
  p.writeUInt32LE(text.length, 8);
  text.copy(p, 12);
  return aioMessage(AioMsg.ERROR, opId, p);
}

export function decodeAioError(p: Buffer): NfcErrorBody {
  if (p.length < 12) return { errType: 0, errCode: 0, message: p.toString('hex') };
  const len = Math.min(p.readUInt32LE(8), p.length - 12);
  return { errType: p.readUInt32LE(0), errCode: p.readUInt32LE(4), message: p.toString('utf8', 12, 12 + len) };
}
