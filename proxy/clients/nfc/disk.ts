import { Readable } from 'node:stream';
import { AioMsg, type Extent } from './codec.ts';
import type { NfcConnection } from './connection.ts';
import type { BufferPool } from './buffer-pool.ts';

export interface ReadStreamOptions {
  /** Bytes per IO request (multiple of 512). */
  chunkBytes?: number;
  /** IO requests kept in flight. */
  inFlight?: number;
  /** Read into buffers from this pool; the consumer gives each chunk's data back once it is done with it. */
  pool?: BufferPool;
}

export interface DiskChunk {
  offset: number;
  data: Buffer;
}

/** An open disk on an NFC connection (VixDiskLib_Open's handle). Offsets and lengths are bytes. */
export class NfcDisk {
  constructor(
    private readonly conn: NfcConnection,
    readonly path: string,
    readonly handle: bigint,
    readonly sectorSize: number,
    /** Capacity in bytes as the server reported it (0 if unknown). */
    readonly capacity: number,
    readonly readOnly: boolean,
  ) {}

  read(offset: number, length: number, into?: Buffer): Promise<Buffer> {
    return this.conn.read(this.handle, offset, length, into);
  }

  write(offset: number, data: Buffer): Promise<void> {
    return this.conn.write(this.handle, offset, data);
  }

  /**
   * The extents' bytes as a stream of {offset, data} in order, with `inFlight` requests outstanding;
   * a consumer that stops reading stops the requests (Readable.from pulls on demand).
   */
  readExtents(extents: Iterable<Extent>, opts: ReadStreamOptions = {}): Readable {
    const chunk = opts.chunkBytes ?? 1024 * 1024;
    const inFlight = Math.max(1, opts.inFlight ?? 8);
    const pool = opts.pool;
    const self = this;
    async function* run(): AsyncGenerator<DiskChunk> {
      const queue: { offset: number; data: Promise<Buffer> }[] = [];
      for (const x of extents) {
        for (let at = 0; at < x.length; at += chunk) {
          const offset = x.start + at;
          const length = Math.min(chunk, x.length - at);
          const data = self.read(offset, length, pool?.take(length));
          data.catch(() => {});
          queue.push({ offset, data });
          if (queue.length >= inFlight) {
            const q = queue.shift()!;
            yield { offset: q.offset, data: await q.data };
          }
        }
      }
      while (queue.length) {
        const q = queue.shift()!;
        yield { offset: q.offset, data: await q.data };
      }
    }
    return Readable.from(run(), { objectMode: true, highWaterMark: 2 });
  }

  /** Writes chunks from any source with `inFlight` writes outstanding; resolves when all are acknowledged. */
  async writeChunks(source: Iterable<DiskChunk> | AsyncIterable<DiskChunk>, opts: { inFlight?: number } = {}): Promise<number> {
    const inFlight = Math.max(1, opts.inFlight ?? 8);
    const window: Promise<void>[] = [];
    let bytes = 0;
    for await (const c of source) {
      const p = this.write(c.offset, c.data);
      p.catch(() => {});
      window.push(p);
      bytes += c.data.length;
      if (window.length >= inFlight) await window.shift();
      await this.conn.drained();
    }
    await Promise.all(window);
    return bytes;
  }

  async close(): Promise<void> {
    const h = Buffer.alloc(8);
    h.writeBigUInt64LE(this.handle, 0);
    await this.conn.request(AioMsg.CLOSE_FILE, h);
  }
}
