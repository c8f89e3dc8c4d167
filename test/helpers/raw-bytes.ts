import type { Duplex } from 'node:stream';

/**
 * Test-side byte plumbing written without the product's codecs (ByteReader, RawPipe), so golden
 * wire tests read the server's bytes through code the product does not share.
 */

/** `hex('7a da 00 a1')`: a buffer from hex with any spacing; `| 16 x 00` style is spelled out by the caller. */
export function hex(s: string): Buffer {
  const clean = s.replace(/\s+/g, '');
  if (!/^([0-9a-f]{2})*$/i.test(clean)) throw new Error(`bad hex literal: ${s}`);
  return Buffer.from(clean, 'hex');
}

/** A fixed-size message: the hex prefix, zero-padded to `size` bytes (classic NFC messages are 264). */
export function padded(prefix: Buffer, size: number): Buffer {
  const b = Buffer.alloc(size);
  prefix.copy(b);
  return b;
}

/** Collects what a stream delivers and hands it out by exact byte counts or lines. */
export class RawReader {
  private buf = Buffer.alloc(0);
  private ended = false;
  private wake: (() => void) | undefined;
  private readonly onData = (d: Buffer) => {
    this.buf = Buffer.concat([this.buf, d]);
    this.wake?.();
  };
  private readonly onEnd = () => {
    this.ended = true;
    this.wake?.();
  };

  // timeoutMs turns a server that never answers into a clear failure; it is no speed requirement.
  constructor(private readonly stream: Duplex, private readonly timeoutMs = 120_000, initial?: Buffer) {
    if (initial) this.buf = Buffer.from(initial);
    stream.on('data', this.onData);
    stream.on('end', this.onEnd);
    stream.on('close', this.onEnd);
    stream.on('error', this.onEnd);
  }

  async bytes(n: number): Promise<Buffer> {
    await this.until(() => this.buf.length >= n, `${n} bytes`);
    const out = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(n);
    return Buffer.from(out);
  }

  async line(): Promise<string> {
    await this.until(() => this.buf.indexOf('\r\n') >= 0, 'a CRLF line');
    const i = this.buf.indexOf('\r\n');
    const out = this.buf.toString('latin1', 0, i);
    this.buf = this.buf.subarray(i + 2);
    return out;
  }

  /** Resolves when the peer has closed; whatever it still sent is returned. */
  async closed(): Promise<Buffer> {
    await this.until(() => this.ended, 'the peer to close');
    return this.buf;
  }

  /** Stops listening; the stream is left paused with nothing consumed past what was handed out. */
  release(): Buffer {
    this.stream.off('data', this.onData);
    this.stream.off('end', this.onEnd);
    this.stream.off('close', this.onEnd);
    this.stream.off('error', this.onEnd);
    this.stream.pause();
    return this.buf;
  }

  private async until(ok: () => boolean, what: string): Promise<void> {
    const deadline = Date.now() + this.timeoutMs;
    while (!ok()) {
      if (this.ended) throw new Error(`stream ended while waiting for ${what} (have ${this.buf.length} bytes: ${this.buf.subarray(0, 64).toString('hex')})`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((res) => {
        const t = setTimeout(res, left);
        this.wake = () => {
          clearTimeout(t);
          res();
        };
      });
      this.wake = undefined;
    }
  }
}
