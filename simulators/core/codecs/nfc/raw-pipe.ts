import { Duplex } from 'node:stream';

/**
 * The authd TLS session on 902 is abandoned after "200 Connect": NFC then runs either as plain
 * bytes on the same TCP connection (ha-nfc) or under a second TLS handshake (ha-nfcssl). Node's
 * TLSSocket cannot be unwrapped, so the first session runs over this pipe instead of the socket
 * itself; `stopInput()` and `detach()` hand the raw socket back untouched for the next layer.
 */
export class RawPipe extends Duplex {
  private input = true;
  private output = true;
  private readonly onData = (c: Buffer) => {
    if (!this.push(c)) this.raw.pause();
  };
  private readonly onEnd = () => this.push(null);

  constructor(private readonly raw: Duplex, initial?: Buffer) {
    super();
    if (initial && initial.length) this.push(initial);
    raw.on('data', this.onData);
    raw.on('end', this.onEnd);
  }

  override _read(): void {
    if (this.input) this.raw.resume();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    if (!this.output) return cb();
    this.raw.write(chunk, cb);
  }

  override _final(cb: (err?: Error | null) => void): void {
    if (this.output) this.raw.end();
    cb();
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    this.detach();
    cb(err);
  }

  /** No more bytes reach the first TLS session; the raw socket keeps what arrives (paused). */
  stopInput(): void {
    if (!this.input) return;
    this.input = false;
    this.raw.off('data', this.onData);
    this.raw.off('end', this.onEnd);
    this.raw.pause();
  }

  /** Also drop whatever the first session still writes (no close_notify leaks into the next layer). */
  detach(): void {
    this.stopInput();
    this.output = false;
  }
}
