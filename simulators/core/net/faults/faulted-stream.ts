import { Duplex } from 'node:stream';
import type { Socket } from 'node:net';
import type { ByteStage, Forward, StageFactory, DirectionParam } from './stage.ts';

const passThrough = (forward: Forward): ByteStage => ({ write: (chunk) => forward(chunk) });

/**
 * The stream a faulted connection's server speaks on: client bytes go socket -> upstream stage ->
 * this stream's readable side; server bytes go this stream's writable side -> downstream stage ->
 * socket. It keeps the socket's half-close policy, so a FIN still arrives after the delayed bytes.
 */
export class FaultedStream extends Duplex {
  private readonly up: ByteStage;
  private readonly down: ByteStage;
  private readonly readWaiters: (() => void)[] = [];
  private upChain: Promise<void> = Promise.resolve();

  constructor(
    private readonly socket: Socket,
    factory: StageFactory,
    direction: DirectionParam,
  ) {
    super({ allowHalfOpen: socket.allowHalfOpen });
    // This stream now decides when the socket's write side ends (after the downstream stage drained).
    socket.allowHalfOpen = true;
    // Segments should leave when the fault says so, not when Nagle's algorithm does.
    socket.setNoDelay(true);
    const toServer: Forward = (b) => this.deliver(b);
    const toClient: Forward = (b) => new Promise((resolve) => (socket.writable ? socket.write(b, () => resolve()) : resolve()));
    this.up = direction === 'downstream' ? passThrough(toServer) : factory(toServer, 'upstream');
    this.down = direction === 'upstream' ? passThrough(toClient) : factory(toClient, 'downstream');
    // Like listenTcp does for raw sockets: a client going away is normal, not an unhandled error.
    this.on('error', () => {});

    socket.on('data', (chunk: Buffer) => {
      const pending = this.up.write(chunk);
      if (!pending) return;
      socket.pause();
      this.upChain = pending.then(
        () => {
          if (!socket.destroyed) socket.resume();
        },
        (err: Error) => {
          this.destroy(err);
        },
      );
    });
    socket.once('end', () => {
      void this.upChain.then(() => this.up.flush?.()).then(() => this.push(null));
    });
    socket.once('error', (err) => this.destroy(err));
    socket.once('close', () => this.destroy());
  }

  private deliver(bytes: Buffer): Promise<void> {
    if (this.destroyed || this.push(bytes)) return Promise.resolve();
    return new Promise((resolve) => this.readWaiters.push(resolve));
  }

  private wake(): void {
    for (const resolve of this.readWaiters.splice(0)) resolve();
  }

  override _read(): void {
    this.wake();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    Promise.resolve(this.down.write(chunk)).then(() => cb(), cb);
  }

  override _final(cb: (err?: Error | null) => void): void {
    Promise.resolve(this.down.flush?.()).then(() => {
      this.socket.end();
      cb();
    }, cb);
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    this.up.close?.();
    this.down.close?.();
    this.wake();
    this.socket.destroy();
    cb(err);
  }
}
