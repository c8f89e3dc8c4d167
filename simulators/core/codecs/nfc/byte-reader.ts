import type { Readable } from 'node:stream';

export class StreamEndedError extends Error {
  constructor(readonly wanted: number, readonly got: number) {
    super(got === 0 ? 'connection closed' : `connection closed in the middle of a message (${got} of ${wanted} bytes)`);
  }
}

export class ReadTimeoutError extends Error {}

interface Waiter {
  need: number;
  resolve(): void;
  reject(err: Error): void;
  timer?: NodeJS.Timeout;
}

/**
 * Exact-length reads over a stream, for length-prefixed protocols. At most `maxBuffered` bytes sit
 * unread (the source is paused beyond that), so a peer that floods the connection costs bounded
 * memory; every read has a deadline so a peer that stalls never holds the session.
 */
export class ByteReader {
  private chunks: Buffer[] = [];
  private head = 0;
  private buffered = 0;
  private ended = false;
  private failure: Error | undefined;
  private waiter: Waiter | undefined;
  private paused = false;
  private readonly onData = (c: Buffer) => {
    this.chunks.push(c);
    this.buffered += c.length;
    if (this.buffered > this.maxBuffered && !this.paused) {
      this.paused = true;
      this.stream.pause();
    }
    this.wake();
  };
  private readonly onEnd = () => {
    this.ended = true;
    this.wake();
  };
  private readonly onError = (err: Error) => {
    this.failure = err;
    this.wake();
  };

  constructor(private readonly stream: Readable, private readonly maxBuffered = 256 * 1024, private readonly defaultTimeoutMs = 60_000) {
    stream.on('data', this.onData);
    stream.on('end', this.onEnd);
    stream.on('close', this.onEnd);
    stream.on('error', this.onError);
    // A stream handed over paused (authd -> NFC) stays paused when a data listener is added.
    stream.resume();
  }

  get available(): number {
    return this.buffered;
  }

  async read(n: number, timeoutMs = this.defaultTimeoutMs): Promise<Buffer> {
    if (this.buffered < n) await this.want(n, timeoutMs);
    return this.take(n);
  }

  /** The next n bytes if they are already here (hot loops skip a promise per message). */
  tryRead(n: number): Buffer | undefined {
    return this.buffered >= n ? this.take(n) : undefined;
  }

  /** Copies the next n bytes into target[at..] without an intermediate buffer. */
  async readInto(target: Buffer, at: number, n: number, timeoutMs = this.defaultTimeoutMs): Promise<void> {
    let done = 0;
    while (done < n) {
      if (this.buffered === 0) await this.want(1, timeoutMs);
      const c = this.chunks[0]!;
      const k = Math.min(c.length - this.head, n - done);
      c.copy(target, at + done, this.head, this.head + k);
      this.consume(k);
      done += k;
    }
  }

  /** Discards n bytes (payloads of messages that failed) without holding them. */
  async skip(n: number, timeoutMs = this.defaultTimeoutMs): Promise<void> {
    let left = n;
    while (left > 0) {
      await this.want(1, timeoutMs);
      const k = Math.min(this.chunks[0]!.length - this.head, left);
      this.consume(k);
      left -= k;
    }
  }

  /** A CRLF- or LF-terminated line without its terminator; rejects if longer than maxLength. */
  async readLine(maxLength: number, timeoutMs = this.defaultTimeoutMs): Promise<string> {
    for (;;) {
      const all = this.peekAll();
      const nl = all.indexOf(0x0a);
      if (nl >= 0 && nl < maxLength) {
        this.take(nl + 1);
        return all.toString('latin1', 0, nl).replace(/\r$/, '');
      }
      if (all.length >= maxLength) throw new LineTooLongError(maxLength);
      await this.want(all.length + 1, timeoutMs);
    }
  }

  /** Stops reading from the stream and returns whatever was buffered but not consumed. */
  detach(): Buffer {
    this.stream.off('data', this.onData);
    this.stream.off('end', this.onEnd);
    this.stream.off('close', this.onEnd);
    this.stream.off('error', this.onError);
    this.stream.pause();
    const rest = this.peekAll();
    this.chunks = [];
    this.head = 0;
    this.buffered = 0;
    return rest;
  }

  private peekAll(): Buffer {
    if (this.chunks.length === 0) return Buffer.alloc(0);
    if (this.chunks.length === 1) return this.chunks[0]!.subarray(this.head);
    const merged = Buffer.concat([this.chunks[0]!.subarray(this.head), ...this.chunks.slice(1)]);
    this.chunks = [merged];
    this.head = 0;
    return merged;
  }

  private take(n: number): Buffer {
    // Zero bytes (an empty CONNECTION_DATA name) with nothing buffered: there is no first chunk.
    if (n === 0) return Buffer.alloc(0);
    const first = this.chunks[0]!;
    if (first.length - this.head >= n) {
      const out = first.subarray(this.head, this.head + n);
      this.consume(n);
      return out;
    }
    const out = Buffer.allocUnsafe(n);
    let done = 0;
    while (done < n) {
      const c = this.chunks[0]!;
      const k = Math.min(c.length - this.head, n - done);
      c.copy(out, done, this.head, this.head + k);
      this.consume(k);
      done += k;
    }
    return out;
  }

  private consume(k: number): void {
    this.head += k;
    this.buffered -= k;
    if (this.head === this.chunks[0]!.length) {
      this.chunks.shift();
      this.head = 0;
    }
    if (this.paused && this.buffered <= this.maxBuffered / 2) {
      this.paused = false;
      this.stream.resume();
    }
  }

  private want(n: number, timeoutMs: number): Promise<void> {
    if (this.buffered >= n) return Promise.resolve();
    if (this.failure) return Promise.reject(this.failure);
    if (this.ended) return Promise.reject(new StreamEndedError(n, this.buffered));
    if (this.waiter) return Promise.reject(new Error('ByteReader: concurrent reads'));
    // A read larger than the buffer cap must still complete: let the stream run until it is satisfied.
    if (this.paused) {
      this.paused = false;
      this.stream.resume();
    }
    return new Promise((resolve, reject) => {
      const w: Waiter = { need: n, resolve, reject };
      if (timeoutMs > 0 && Number.isFinite(timeoutMs)) {
        w.timer = setTimeout(() => {
          this.waiter = undefined;
          reject(new ReadTimeoutError(`no data for ${timeoutMs} ms`));
        }, timeoutMs);
      }
      this.waiter = w;
    });
  }

  private wake(): void {
    const w = this.waiter;
    if (!w) return;
    const done = this.buffered >= w.need;
    if (!done && !this.ended && !this.failure) return;
    this.waiter = undefined;
    if (w.timer) clearTimeout(w.timer);
    if (done) w.resolve();
    else w.reject(this.failure ?? new StreamEndedError(w.need, this.buffered));
  }
}

export class LineTooLongError extends Error {
  constructor(max: number) {
    super(`line longer than ${max} bytes`);
  }
}
