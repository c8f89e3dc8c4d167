import type { Duplex } from 'node:stream';
import type { ConnContext } from '../../core/net/listen.ts';
import type { FaultRegistry } from '../../core/faults/registry.ts';
import type { ServerTimeouts } from '../../core/net/timeouts.ts';
import type { DiskView } from '../../disk/contract.ts';
import type { LabWorld } from '../../world.ts';
import {
  AIO_FRAGMENT_MAX,
  AIO_HEADER_SIZE,
  AIO_MAGIC,
  AIO_PATH_MAX,
  AIO_PAYLOAD_MAX,
  AIO_PAYLOAD_SIZE,
  AIO_READ_MAX,
  AioMsg,
  ByteReader,
  IO_PAYLOAD_SIZE,
  IO_READ,
  IO_WRITE,
  NFC_FILE_TYPE_DISK,
  NFC_MSG_SIZE,
  OPEN_FLAG_READ_ONLY_BIT,
  SECTOR_SIZE,
  Vix,
  aioMessage,
  decodeAioHeader,
  decodeIo,
  decodeOpenFile,
  encodeAioError,
  encodeAioHeader,
  encodeIo,
  encodeOpenFileReply,
  readRequestLength,
} from '../../core/codecs/nfc/index.ts';
import { mayOpen, mayWrite, type NfcAccess } from '../authd/access.ts';
import { NfcFailure } from './errors.ts';

export interface NfcEnv {
  world: LabWorld;
  faults: FaultRegistry;
  component: string;
  conn: ConnContext;
  /** NFC runs under TLS (ha-nfcssl); encrypted disks refuse plain NBD. */
  ssl: boolean;
  /** The lab's server timeouts (NFC's message, idle and drain deadlines). */
  timeouts: Pick<Required<ServerTimeouts>, 'nfcMessageMs' | 'nfcIdleMs' | 'nfcDrainMs'>;
}

interface OpenFile {
  view: DiskView;
  path: string;
  writable: boolean;
}

interface PendingWrite {
  file: OpenFile;
  offset: number;
  total: number;
  received: number;
  failed: boolean;
}

const MAX_OPEN_FILES = 16;
const MAX_PENDING_WRITES = 64;
/** Read-reply data bytes per socket write (16 fragments). */
const READ_BATCH = 1024 * 1024;

/**
 * The asynchronous I/O phase: one message at a time, in order. Read replies are generated fragment
 * by fragment and wait for the socket to drain, so a slow or stalled reader never makes the server
 * buffer more than one fragment per connection.
 */
export class AioSession {
  private readonly files = new Map<bigint, OpenFile>();
  private readonly writes = new Map<number, PendingWrite>();
  private nextHandle = 0x5bd0n;
  bytesRead = 0;
  bytesWritten = 0;

  constructor(
    private readonly stream: Duplex,
    private readonly reader: ByteReader,
    private readonly access: NfcAccess,
    private readonly env: NfcEnv,
  ) {}

  /** Serves until CLOSE_SESSION; NfcFailure with fatal=true ends the connection. */
  async run(): Promise<void> {
    for (;;) {
      const h = decodeAioHeader(await this.reader.read(AIO_HEADER_SIZE, this.env.timeouts.nfcIdleMs));
      if (h.magic !== AIO_MAGIC) throw new NfcFailure(Vix.INVALID_ARG, `invalid AIO header magic 0x${h.magic.toString(16)}`, true);
      if (h.size > AIO_PAYLOAD_MAX) throw new NfcFailure(Vix.INVALID_ARG, `AIO message announces ${h.size} payload bytes (limit ${AIO_PAYLOAD_MAX})`, true);
      const expected = AIO_PAYLOAD_SIZE[h.type];
      if (expected === undefined) throw new NfcFailure(Vix.NOT_SUPPORTED, `AIO message type ${h.type} is not supported`, true);
      if (h.size < expected) throw new NfcFailure(Vix.INVALID_ARG, `AIO message type ${h.type} needs ${expected} payload bytes, got ${h.size}`, true);
      const payload = await this.reader.read(h.size);
      try {
        if (await this.dispatch(h.type, h.opId, payload)) return;
      } catch (err) {
        if (!(err instanceof NfcFailure) || err.fatal) throw err;
        this.env.conn.trace('response', `NFC error ${err.code}: ${err.message}`);
        this.stream.write(encodeAioError(h.opId, err.body));
      }
    }
  }

  private async dispatch(type: number, opId: number, p: Buffer): Promise<boolean> {
    switch (type) {
      case AioMsg.OPEN_SESSION:
        this.reply(type, opId, Buffer.alloc(16));
        return false;
      case AioMsg.SET_SOCK_OPTS: {
        const r = Buffer.alloc(12);
        r.writeUInt32LE(4 * 1024 * 1024, 0);
        r.writeUInt32LE(4 * 1024 * 1024, 4);
        this.reply(type, opId, r);
        return false;
      }
      case AioMsg.SET_RES_POOL:
        this.reply(type, opId, p.subarray(0, 4));
        return false;
      case AioMsg.OPEN_FILE:
        await this.openFile(opId, p);
        return false;
      case AioMsg.CLOSE_FILE: {
        const handle = p.readBigUInt64LE(0);
        if (!this.files.delete(handle)) throw new NfcFailure(Vix.INVALID_ARG, `unknown file handle ${handle}`);
        this.reply(type, opId, p.subarray(0, 8));
        return false;
      }
      case AioMsg.IO:
        await this.io(opId, p);
        return false;
      case AioMsg.CLOSE_SESSION:
        this.reply(type, opId, Buffer.alloc(4));
        // The classic SESSION_COMPLETE follows; the connection ends either way.
        await this.reader.read(NFC_MSG_SIZE, 10_000).catch(() => undefined);
        return true;
      default:
        throw new NfcFailure(Vix.NOT_SUPPORTED, `AIO message type ${type} is not supported`, true);
    }
  }

  private reply(type: number, opId: number, payload: Buffer): void {
    this.stream.write(aioMessage(type, opId, payload));
  }

  private async openFile(opId: number, p: Buffer): Promise<void> {
    const req = decodeOpenFile(p);
    if (req.pathLength === 0 || req.pathLength > AIO_PATH_MAX) throw new NfcFailure(Vix.INVALID_ARG, `path length ${req.pathLength} is out of range`, true);
    const path = (await this.reader.read(req.pathLength)).toString('utf8');
    const readOnly = (req.flags & OPEN_FLAG_READ_ONLY_BIT) !== 0;
    this.env.conn.trace('request', `NFC OPEN_FILE ${path} ${readOnly ? 'read-only' : 'read-write'}`);
    if (req.fileType !== NFC_FILE_TYPE_DISK) throw new NfcFailure(Vix.INCORRECT_FILE_TYPE, `file type ${req.fileType} is not NFC_DISK (2)`);
    if (!mayOpen(this.access, path)) throw new NfcFailure(Vix.HOST_USER_PERMISSIONS, `the session ticket does not cover ${path}`);
    const view = this.env.world.disks.byPath(path);
    if (!view) throw new NfcFailure(Vix.FILE_NOT_FOUND, `${path} was not found`);
    if (!readOnly && !mayWrite(this.access)) throw new NfcFailure(Vix.FILE_READ_ONLY, `the session ticket is read-only; cannot open ${path} for writing`);
    if (!readOnly && view.readOnly) throw new NfcFailure(Vix.FILE_READ_ONLY, `${path} is a snapshot backing and cannot be opened for writing`);
    if (view.disk.spec.encrypted && !this.env.ssl) throw new NfcFailure(Vix.FILE_ACCESS_ERROR, `${path} is encrypted and cannot be opened over NBD; use NBDSSL`);
    if (this.files.size >= MAX_OPEN_FILES) throw new NfcFailure(Vix.FAIL, `too many open files (limit ${MAX_OPEN_FILES})`);
    const handle = this.nextHandle++;
    this.files.set(handle, { view: { ...view, readOnly: readOnly || view.readOnly }, path, writable: !readOnly });
    this.reply(AioMsg.OPEN_FILE, opId, encodeOpenFileReply({ handle, fileType: NFC_FILE_TYPE_DISK, flags: req.flags, sectorSize: SECTOR_SIZE, capacity: view.disk.capacityBytes }));
    this.env.conn.trace('response', `NFC OPEN_FILE handle ${handle} capacity ${view.disk.capacityBytes}`);
  }

  private async io(opId: number, p: Buffer): Promise<void> {
    const f = decodeIo(p);
    if (f.direction === IO_READ) return this.read(opId, f.handle, f.compression, f.offset, readRequestLength(p));
    if (f.direction !== IO_WRITE) throw new NfcFailure(Vix.INVALID_ARG, `IO direction ${f.direction} is neither read (1) nor write (0)`, true);
    if (f.extraLength > AIO_FRAGMENT_MAX || f.fragmentLength > AIO_FRAGMENT_MAX) {
      throw new NfcFailure(Vix.INVALID_ARG, `write fragment of ${Math.max(f.extraLength, f.fragmentLength)} bytes (limit ${AIO_FRAGMENT_MAX})`, true);
    }
    if (f.fragmentLength === 0) throw new NfcFailure(Vix.INVALID_ARG, 'empty write fragment', true);
    const data = await this.reader.read(f.extraLength);
    let w = this.writes.get(opId);
    if (!w) {
      if (this.writes.size >= MAX_PENDING_WRITES) throw new NfcFailure(Vix.FAIL, `more than ${MAX_PENDING_WRITES} writes in flight`, true);
      w = { file: this.files.get(f.handle)!, offset: f.offset, total: f.total, received: 0, failed: false };
      this.writes.set(opId, w);
      try {
        this.checkWrite(f.handle, f.offset, f.total, f.compression);
      } catch (err) {
        w.failed = true;
        this.stream.write(encodeAioError(opId, (err as NfcFailure).body));
        this.env.conn.trace('response', `NFC error ${(err as NfcFailure).code}: ${(err as Error).message}`);
      }
    }
    if (f.fragmentOffset + f.fragmentLength > w.total || f.extraLength !== f.fragmentLength) {
      throw new NfcFailure(Vix.INVALID_ARG, `write fragment ${f.fragmentOffset}+${f.fragmentLength} does not fit the ${w.total}-byte write`, true);
    }
    if (!w.failed) {
      w.file.view.disk.write(w.file.view, w.offset + f.fragmentOffset, data);
      this.bytesWritten += data.length;
    }
    w.received += f.fragmentLength;
    if (w.received < w.total) return;
    this.writes.delete(opId);
    if (w.failed) return;
    const ack = encodeIo({ handle: 0n, direction: IO_WRITE, compression: 0, offset: w.offset, total: w.total, fragmentOffset: 0, fragmentLength: w.total, extraLength: 0 });
    this.reply(AioMsg.IO, opId, ack);
  }

  private checkWrite(handle: bigint, offset: number, total: number, compression: number): void {
    const file = this.fileOf(handle);
    if (compression !== 0) throw new NfcFailure(Vix.NOT_SUPPORTED, `IO compression type ${compression} is not supported`);
    if (!file.writable) throw new NfcFailure(Vix.FILE_READ_ONLY, `${file.path} was opened read-only`);
    this.checkRange(file, offset, total);
  }

  private async read(opId: number, handle: bigint, compression: number, offset: number, length: number): Promise<void> {
    const file = this.fileOf(handle);
    if (compression !== 0) throw new NfcFailure(Vix.NOT_SUPPORTED, `IO compression type ${compression} is not supported`);
    if (length > AIO_READ_MAX) throw new NfcFailure(Vix.INVALID_ARG, `read of ${length} bytes (limit ${AIO_READ_MAX})`);
    this.checkRange(file, offset, length);
    this.injectedReadError(offset, length);
    const { disk } = file.view;
    const frameHead = AIO_HEADER_SIZE + IO_PAYLOAD_SIZE;
    // Per batch of up to READ_BATCH data bytes: the disk's own buffers (keystream output, stored
    // data) go out as they are, each fragment as its header then views of those buffers, one drain
    // wait per batch. Not corked: TLS would copy a corked batch into one buffer, the copy this
    // avoids (docs/performance.md).
    for (let dest = 0; dest < length; ) {
      const batchEnd = Math.min(length, dest + READ_BATCH);
      const slices = disk.readSlices(file.view, offset + dest, batchEnd - dest);
      const heads = Buffer.allocUnsafe(Math.ceil((batchEnd - dest) / AIO_FRAGMENT_MAX) * frameHead);
      let s = 0;
      let sAt = 0;
      let flowing = true;
      for (let at = 0; dest < batchEnd; dest += AIO_FRAGMENT_MAX, at += frameHead) {
        const n = Math.min(AIO_FRAGMENT_MAX, batchEnd - dest);
        encodeAioHeader(AioMsg.IO, IO_PAYLOAD_SIZE, opId, heads.subarray(at, at + AIO_HEADER_SIZE));
        encodeIo({ handle: 0n, direction: IO_READ, compression: 0, offset, total: length, fragmentOffset: dest, fragmentLength: n, extraLength: n }, heads, at + AIO_HEADER_SIZE);
        this.stream.write(heads.subarray(at, at + frameHead));
        for (let left = n; left > 0; ) {
          const piece = slices[s]!;
          const k = Math.min(left, piece.length - sAt);
          flowing = this.stream.write(k === piece.length ? piece : piece.subarray(sAt, sAt + k));
          left -= k;
          sAt += k;
          if (sAt === piece.length) {
            s++;
            sAt = 0;
          }
        }
      }
      if (!flowing) await drained(this.stream, this.env.timeouts.nfcDrainMs);
    }
    this.bytesRead += length;
  }

  private injectedReadError(offset: number, length: number): void {
    const kinds = 'nfc-read-error';
    const fault = this.env.faults.peek(this.env.component, kinds, 'authd');
    const at = Number(fault?.params.offset ?? 0);
    if (!fault || at < offset || at >= offset + length) return;
    this.env.faults.take(this.env.component, kinds, 'authd');
    this.env.conn.trace('fault', `nfc-read-error at offset ${at}`);
    throw new NfcFailure(Vix.DISK_NOIO, `I/O error reading offset ${at}`);
  }

  private fileOf(handle: bigint): OpenFile {
    const f = this.files.get(handle);
    if (!f) throw new NfcFailure(Vix.INVALID_ARG, `unknown file handle ${handle}`);
    return f;
  }

  private checkRange(file: OpenFile, offset: number, length: number): void {
    if (length === 0 || offset % SECTOR_SIZE !== 0 || length % SECTOR_SIZE !== 0) {
      throw new NfcFailure(Vix.INVALID_ARG, `IO of ${length} bytes at ${offset} is not a whole number of ${SECTOR_SIZE}-byte sectors`);
    }
    const capacity = file.view.disk.capacityBytes;
    if (offset + length > capacity) {
      throw new NfcFailure(Vix.DISK_OUTOFRANGE, `IO of ${length} bytes at ${offset} is past the end of ${file.path} (capacity ${capacity})`);
    }
  }
}

function drained(stream: Duplex, drainMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (err?: Error) => {
      clearTimeout(timer);
      stream.off('drain', onDrain);
      stream.off('close', onClose);
      if (err) reject(err);
      else resolve();
    };
    const onDrain = () => done();
    const onClose = () => done(new NfcFailure(Vix.HOST_TCP_CONN_LOST, 'connection closed while sending', true));
    const timer = setTimeout(() => done(new NfcFailure(Vix.HOST_TCP_CONN_LOST, `peer read nothing for ${drainMs} ms`, true)), drainMs);
    stream.on('drain', onDrain);
    stream.once('close', onClose);
  });
}
