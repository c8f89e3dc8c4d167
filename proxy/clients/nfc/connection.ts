import type { Duplex } from 'node:stream';
import type { ProxyNet } from '../../net/proxy-net.ts';
import {
  AIO_FRAGMENT_MAX,
  AIO_HEADER_SIZE,
  AIO_MAGIC,
  AioMsg,
  ByteReader,
  IO_PAYLOAD_SIZE,
  IO_WRITE,
  NFC_MSG_SIZE,
  NFC_PROTOCOL_VERSION,
  NfcErrType,
  NfcMsg,
  OPEN_FLAGS_READ_ONLY,
  OPEN_FLAGS_READ_WRITE,
  aioMessage,
  classicType,
  decodeAioError,
  decodeAioHeader,
  decodeClassicError,
  decodeIo,
  decodeOpenFileReply,
  encodeAioHeader,
  encodeClassic,
  encodeConnectionData,
  encodeFeatures,
  encodeIo,
  encodeOpenFile,
  encodeReadRequest,
  encodeVersion,
  type NfcErrorBody,
} from '../../../simulators/core/codecs/nfc/index.ts';
import { connectAuthd, type AuthdOptions, type NfcTarget } from './authd-client.ts';
import { NfcClientError } from './errors.ts';
import { NfcDisk } from './disk.ts';

export interface NfcConnectOptions extends AuthdOptions {
  /** Deadline of each NFC request (ms). */
  requestTimeoutMs?: number;
  /** Client name and operation id sent in the connection data (VDDK: "vddk", "nbdmode"). */
  clientName?: string;
  opId?: string;
}

type Pending =
  | { kind: 'reply'; type: number; resolve(p: Buffer): void; reject(e: Error): void; timer: NodeJS.Timeout }
  | { kind: 'read'; buf: Buffer; filled: number; resolve(p: Buffer): void; reject(e: Error): void; timer: NodeJS.Timeout };

const FATAL_OPID = 0xffffffff;

/**
 * One NFC session (one authd connection): the classic handshake, then AIO requests multiplexed by
 * opId. Replies are parsed by one pump; read data is copied once, straight into the caller's buffer.
 */
export class NfcConnection {
  private readonly pending = new Map<number, Pending>();
  private nextOp = 0;
  private failure: Error | undefined;
  private closed = false;

  private constructor(private readonly stream: Duplex, private readonly reader: ByteReader, private readonly timeoutMs: number) {}

  static async open(net: ProxyNet, target: NfcTarget, opts: NfcConnectOptions = {}): Promise<NfcConnection> {
    const stream = await connectAuthd(net, target, opts);
    stream.on('error', () => {});
    const timeoutMs = opts.requestTimeoutMs ?? 60_000;
    const reader = new ByteReader(stream, 4 * 1024 * 1024, timeoutMs);
    const conn = new NfcConnection(stream, reader, timeoutMs);
    try {
      await conn.handshake(opts.clientName ?? 'bpsim', opts.opId ?? (opts.ssl === false ? 'nbdmode' : 'nbdsslmode'));
      void conn.pump();
      await conn.request(AioMsg.OPEN_SESSION, Buffer.alloc(16));
      await conn.request(AioMsg.SET_SOCK_OPTS, Buffer.alloc(12));
      const pool = Buffer.alloc(4);
      pool.writeUInt32LE(1, 0);
      await conn.request(AioMsg.SET_RES_POOL, pool);
    } catch (err) {
      stream.destroy();
      throw err;
    }
    return conn;
  }

  async openDisk(path: string, opts: { readOnly?: boolean } = {}): Promise<NfcDisk> {
    const readOnly = opts.readOnly ?? true;
    const p = Buffer.from(path, 'utf8');
    const reply = decodeOpenFileReply(await this.request(AioMsg.OPEN_FILE, encodeOpenFile(p.length, readOnly ? OPEN_FLAGS_READ_ONLY : OPEN_FLAGS_READ_WRITE), p));
    return new NfcDisk(this, path, reply.handle, reply.sectorSize, reply.capacity, readOnly);
  }

  /** CLOSE_SESSION, the classic SESSION_COMPLETE, then the connection ends. */
  async close(): Promise<void> {
    if (this.closed) return;
    try {
      if (!this.failure) {
        await this.request(AioMsg.CLOSE_SESSION, Buffer.alloc(4));
        this.stream.end(encodeClassic(NfcMsg.SESSION_COMPLETE));
      }
    } finally {
      this.closed = true;
      setTimeout(() => this.stream.destroy(), 1000).unref();
    }
  }

  /** Destroys the connection now (tests, aborts). */
  destroy(): void {
    this.closed = true;
    this.stream.destroy();
  }

  request(type: number, payload: Buffer, extra?: Buffer): Promise<Buffer> {
    return this.submit((opId, resolve, reject, timer) => {
      this.pending.set(opId, { kind: 'reply', type, resolve, reject, timer });
      const msg = aioMessage(type, opId, payload);
      return extra ? [msg, extra] : [msg];
    });
  }

  /** One IO read; the server answers in fragments of at most 64 KiB that land in one buffer (`into`, when given: exactly `length` bytes). */
  read(handle: bigint, offset: number, length: number, into?: Buffer): Promise<Buffer> {
    if (into && into.length !== length) return Promise.reject(new RangeError(`read of ${length} bytes into a buffer of ${into.length}`));
    return this.submit((opId, resolve, reject, timer) => {
      this.pending.set(opId, { kind: 'read', buf: into ?? Buffer.allocUnsafe(length), filled: 0, resolve, reject, timer });
      return [aioMessage(AioMsg.IO, opId, encodeReadRequest(handle, offset, length))];
    });
  }

  /** One IO write: fragments of at most 64 KiB under one opId, one acknowledgement. */
  write(handle: bigint, offset: number, data: Buffer): Promise<void> {
    return this.submit((opId, resolve, reject, timer) => {
      this.pending.set(opId, { kind: 'reply', type: AioMsg.IO, resolve, reject, timer });
      const frames: Buffer[] = [];
      for (let at = 0; at < data.length; at += AIO_FRAGMENT_MAX) {
        const n = Math.min(AIO_FRAGMENT_MAX, data.length - at);
        const frame = Buffer.allocUnsafe(AIO_HEADER_SIZE + IO_PAYLOAD_SIZE + n);
        encodeAioHeader(AioMsg.IO, IO_PAYLOAD_SIZE, opId, frame);
        encodeIo({ handle, direction: IO_WRITE, compression: 0, offset, total: data.length, fragmentOffset: at, fragmentLength: n, extraLength: n }, frame, AIO_HEADER_SIZE);
        data.copy(frame, AIO_HEADER_SIZE + IO_PAYLOAD_SIZE, at, at + n);
        frames.push(frame);
      }
      return frames;
    }).then(() => undefined);
  }

  private submit(
    start: (opId: number, resolve: (p: Buffer) => void, reject: (e: Error) => void, timer: NodeJS.Timeout) => Buffer[],
  ): Promise<Buffer> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.closed) return Promise.reject(new NfcClientError('PROTOCOL', 'NFC connection is closed'));
    return new Promise<Buffer>((resolve, reject) => {
      const opId = this.nextOp;
      this.nextOp = (this.nextOp + 1) % FATAL_OPID;
      const timer = setTimeout(() => this.fail(new NfcClientError('PROTOCOL', `NFC request ${opId} got no reply within ${this.timeoutMs} ms`)), this.timeoutMs);
      const done = (p: Buffer) => {
        clearTimeout(timer);
        resolve(p);
      };
      const failed = (e: Error) => {
        clearTimeout(timer);
        reject(e);
      };
      for (const b of start(opId, done, failed, timer)) this.stream.write(b);
    });
  }

  /** Resolves once the socket can take more (writers call this between requests). */
  drained(): Promise<void> {
    if (!this.stream.writableNeedDrain) return Promise.resolve();
    return new Promise((resolve) => {
      const go = () => {
        this.stream.off('drain', go);
        this.stream.off('close', go);
        resolve();
      };
      this.stream.on('drain', go);
      this.stream.on('close', go);
    });
  }

  private async handshake(clientName: string, opId: string): Promise<void> {
    const s = this.stream;
    s.write(encodeClassic(NfcMsg.HANDSHAKE, Buffer.from('PlainText')));
    s.write(encodeClassic(NfcMsg.SESSION_PARAMS));
    await this.expectClassic(NfcMsg.SESSION_PARAMS_REPLY);
    s.write(encodeVersion(NFC_PROTOCOL_VERSION));
    const version = await this.expectClassic(NfcMsg.VERSION);
    if (version.readUInt32LE(4) < 3) throw new NfcClientError('PROTOCOL', `NFC server version ${version.readUInt32LE(4)} has no AIO`);
    const name = Buffer.from(clientName, 'latin1');
    const op = Buffer.from(opId, 'latin1');
    s.write(encodeConnectionData(name.length, op.length));
    s.write(name);
    s.write(op);
    s.write(encodeFeatures(3));
    s.write(encodeClassic(NfcMsg.AIO_SESSION_OPEN));
    await this.expectClassic(NfcMsg.AIO_SESSION_OPEN);
  }

  private async expectClassic(type: number): Promise<Buffer> {
    const msg = await this.reader.read(NFC_MSG_SIZE).catch((err: Error) => {
      throw new NfcClientError('PROTOCOL', `NFC handshake: ${err.message}`);
    });
    const got = classicType(msg);
    if (got === NfcMsg.ERROR) throw errorOf(decodeClassicError(msg));
    if (got !== type) throw new NfcClientError('PROTOCOL', `NFC handshake: expected message ${type}, got ${got}`);
    return msg;
  }

  private async pump(): Promise<void> {
    try {
      for (;;) {
        const h = decodeAioHeader(this.reader.tryRead(AIO_HEADER_SIZE) ?? (await this.reader.read(AIO_HEADER_SIZE, 0)));
        if (h.magic !== AIO_MAGIC) throw new NfcClientError('PROTOCOL', `invalid AIO header magic 0x${h.magic.toString(16)}`);
        if (h.size > 4096) throw new NfcClientError('PROTOCOL', `AIO reply announces ${h.size} payload bytes`);
        const payload = this.reader.tryRead(h.size) ?? (await this.reader.read(h.size, this.timeoutMs));
        const op = this.pending.get(h.opId);
        if (h.type === AioMsg.ERROR) {
          const e = errorOf(decodeAioError(payload));
          if (h.opId === FATAL_OPID || !op || e.details.fatal) throw e;
          this.pending.delete(h.opId);
          op.reject(e);
          continue;
        }
        if (!op) throw new NfcClientError('PROTOCOL', `AIO reply for unknown opId ${h.opId}`);
        if (op.kind === 'read') {
          const f = decodeIo(payload);
          if (f.fragmentLength === 0 || f.fragmentOffset + f.fragmentLength > op.buf.length) {
            throw new NfcClientError('PROTOCOL', `read fragment ${f.fragmentOffset}+${f.fragmentLength} does not fit ${op.buf.length} bytes`);
          }
          await this.reader.readInto(op.buf, f.fragmentOffset, f.fragmentLength, this.timeoutMs);
          op.filled += f.fragmentLength;
          if (op.filled < op.buf.length) continue;
          this.pending.delete(h.opId);
          op.resolve(op.buf);
        } else {
          if (h.type !== op.type) throw new NfcClientError('PROTOCOL', `AIO reply type ${h.type} to a type ${op.type} request`);
          this.pending.delete(h.opId);
          op.resolve(payload);
        }
      }
    } catch (err) {
      this.fail(
        err instanceof NfcClientError ? err : this.closed ? new NfcClientError('PROTOCOL', 'NFC connection closed') : new NfcClientError('PROTOCOL', `NFC connection lost: ${(err as Error).message}`, { vixCode: 14011 }),
      );
    }
  }

  private fail(err: Error): void {
    if (!this.failure) this.failure = err;
    for (const op of this.pending.values()) {
      clearTimeout(op.timer);
      op.reject(err);
    }
    this.pending.clear();
    this.stream.destroy();
  }
}

function errorOf(e: NfcErrorBody): NfcClientError {
  return new NfcClientError('NFC', e.message, { vixCode: e.errCode, fatal: e.errType === NfcErrType.PROTOCOL });
}
