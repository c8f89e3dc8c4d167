/**
 * Read buffers of one size handed back by their consumer and given out again. A fresh 1 MiB
 * buffer per disk read costs page faults and garbage collection (about a quarter of the NFC read's
 * CPU, docs/performance.md); a buffer comes back only through `give`, called by the code that can
 * prove no one else still holds it, so a buffer that is never given back is simply collected.
 */
export class BufferPool {
  private readonly free: Buffer[] = [];

  constructor(
    readonly size: number,
    /** Most buffers kept while idle; the rest are left to the collector. */
    private readonly keep = 32,
  ) {}

  /** A buffer of `length` bytes (at most `size`) whose content is undefined. */
  take(length: number): Buffer {
    if (length > this.size) return Buffer.allocUnsafeSlow(length);
    const buf = this.free.pop() ?? Buffer.allocUnsafeSlow(this.size);
    return length === this.size ? buf : buf.subarray(0, length);
  }

  /** Hands back a buffer from `take` (or a view of one from its start); its bytes may be overwritten from now on. */
  give(buf: Buffer): void {
    if (buf.byteOffset !== 0 || buf.buffer.byteLength !== this.size || this.free.length >= this.keep) return;
    this.free.push(buf.length === this.size ? buf : Buffer.from(buf.buffer, 0, this.size));
  }
}
