import { connect as tcpConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { Duplex } from 'node:stream';

export interface IdleClose {
  /** The server closed (or reset) the connection before the test gave up. */
  closed: boolean;
  /** Milliseconds from the client's last write (or its connect) to the close. */
  idleMs: number;
  /** Everything the server sent. */
  received: Buffer;
}

/**
 * Waits, sending nothing more, until the server closes `stream`; the idle time is counted from
 * `since` (the client's last write). `giveUpMs` only bounds the wait: far past any deadline under test.
 */
export function idleUntilClosed(stream: Duplex, since: number, giveUpMs: number, received: Buffer[] = []): Promise<IdleClose> {
  return new Promise((resolve) => {
    const finish = (closed: boolean) => {
      clearTimeout(timer);
      stream.destroy();
      resolve({ closed, idleMs: performance.now() - since, received: Buffer.concat(received) });
    };
    const timer = setTimeout(() => finish(false), giveUpMs);
    stream.on('data', (d: Buffer) => received.push(Buffer.from(d)));
    stream.on('error', () => {});
    stream.once('close', () => finish(true));
    if (stream.isPaused()) stream.resume();
  });
}

/** A TCP connection, resolved once connected, with the first bytes the server sends (a banner) if `waitFor` says so. */
export function connectRaw(host: string, port: number, waitFor?: (seen: Buffer) => boolean): Promise<{ socket: Socket; first: Buffer[] }> {
  return new Promise((resolve, reject) => {
    const socket = tcpConnect({ host, port });
    const first: Buffer[] = [];
    socket.once('error', reject);
    socket.once('connect', () => {
      if (!waitFor) return resolve({ socket, first });
      const onData = (d: Buffer) => {
        first.push(d);
        if (!waitFor(Buffer.concat(first))) return;
        socket.off('data', onData);
        socket.pause();
        resolve({ socket, first });
      };
      socket.on('data', onData);
    });
  });
}

/** TLS started by the client on an existing connection (authd's STARTTLS-like upgrade on 902). */
export function startTls(socket: Socket): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    const tls = tlsConnect({ socket, rejectUnauthorized: false });
    tls.once('secureConnect', () => resolve(tls));
    tls.once('error', reject);
  });
}
