import { parseAnswer, rawConnect, type RawTarget } from './raw-http.ts';

export type SlowKind = 'idle-tcp' | 'idle-tls' | 'slow-headers' | 'slow-body' | 'keep-alive-idle';

export interface SlowResult {
  /** The server closed (or reset) the connection before `giveUpMs`. */
  closed: boolean;
  /** Status of the last answer seen (408 for a request timeout, 200... for the keep-alive request). */
  status?: number;
  /** Milliseconds from the connect call to the close (or to giving up). */
  elapsedMs: number;
}

/**
 * A client that holds a connection the way an attacker or a stuck peer does, trickling a byte
 * every `dripMs` where it sends anything, until the server closes it or `giveUpMs` passes (bounded
 * in time and bytes: at most giveUpMs / dripMs bytes).
 *  - idle-tcp: connects and never starts TLS (the handshake deadline);
 *  - idle-tls: finishes TLS, never sends a request (the header deadline from connection start);
 *  - slow-headers: a request line, then one header byte at a time, never the blank line;
 *  - slow-body: complete headers announcing 1 MB, then one body byte at a time (the request deadline);
 *  - keep-alive-idle: one complete request, then silence (the keep-alive idle deadline).
 */
export function holdConnection(t: RawTarget, kind: SlowKind, opts: { dripMs?: number; giveUpMs: number; path?: string; host?: string }): Promise<SlowResult> {
  const dripMs = opts.dripMs ?? 100;
  const target = kind === 'idle-tcp' ? { ...t, tls: false } : t;
  return new Promise((resolve) => {
    const started = performance.now();
    const socket = rawConnect(target);
    let received = Buffer.alloc(0);
    let drip: NodeJS.Timeout | undefined;
    const finish = (closed: boolean) => {
      clearTimeout(giveUp);
      clearInterval(drip);
      socket.destroy();
      resolve({ closed, status: lastStatus(received), elapsedMs: performance.now() - started });
    };
    const giveUp = setTimeout(() => finish(false), opts.giveUpMs);
    socket.on('data', (d: Buffer) => (received = Buffer.concat([received, d]).subarray(-4096)));
    socket.on('error', () => {});
    socket.once('close', () => finish(true));
    const head = `host: ${opts.host ?? target.hostHeader ?? 'lab'}\r\n`;
    socket.once(target.tls ? 'secureConnect' : 'connect', () => {
      switch (kind) {
        case 'slow-headers':
          socket.write(`GET ${opts.path ?? '/'} HTTP/1.1\r\n${head}`);
          drip = setInterval(() => socket.write('x'), dripMs);
          break;
        case 'slow-body':
          socket.write(`POST ${opts.path ?? '/'} HTTP/1.1\r\n${head}content-type: application/json\r\ncontent-length: 1000000\r\n\r\n`);
          drip = setInterval(() => socket.write(' '), dripMs);
          break;
        case 'keep-alive-idle':
          socket.write(`GET ${opts.path ?? '/'} HTTP/1.1\r\n${head}\r\n`);
          break;
        default:
          // idle-tcp, idle-tls: silence.
          break;
      }
    });
  });
}

function lastStatus(data: Buffer): number | undefined {
  const text = data.toString('latin1');
  const i = text.lastIndexOf('HTTP/1.1 ');
  return i < 0 ? undefined : parseAnswer(Buffer.from(text.slice(i), 'latin1')).status ?? Number(text.slice(i + 9, i + 12));
}
