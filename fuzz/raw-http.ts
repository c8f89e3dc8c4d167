import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { connect as tcpConnect, type Socket } from 'node:net';

export interface RawTarget {
  host: string;
  port: number;
  tls: boolean;
  /** The Host header this listener needs (the admin API answers only loopback names); replaces the request's own. */
  hostHeader?: string;
}

/** The request head with the target's own Host header, where it needs one. */
export function withHost(t: RawTarget, head: string): string {
  return t.hostHeader ? head.replace(/^host: [^\r\n]*/im, `host: ${t.hostHeader}`) : head;
}

export interface RawRequest {
  /** Request line and headers, without the blank line. */
  head: string;
  /** Body bytes to send after the head (streamed in 64 KiB writes, stopping once an answer arrives). */
  body?: Buffer | { size: number; chunked?: boolean };
  /** Give up after this long (an unanswered request). */
  timeoutMs: number;
}

export interface RawAnswer {
  /** HTTP status, or undefined if the server closed or reset without an answer. */
  status?: number;
  headers: Record<string, string>;
  body: string;
  /** 'answered', 'closed' (no status line), 'reset', 'timeout'; 'not-connected': the request was never sent (no TCP or TLS session). */
  outcome: 'answered' | 'closed' | 'reset' | 'timeout' | 'not-connected';
}

export function rawConnect(t: RawTarget): Socket | TLSSocket {
  return t.tls ? tlsConnect({ host: t.host, port: t.port, rejectUnauthorized: false }) : tcpConnect({ host: t.host, port: t.port });
}

/**
 * One HTTP/1.1 exchange written by hand, as a well-behaved client does it: body sent with
 * backpressure, and no more of it once the server has answered (curl stops the same way). Lets a
 * test send what node:http's client refuses to (bad methods, malformed targets, lying lengths).
 */
export function rawExchange(t: RawTarget, r: RawRequest): Promise<RawAnswer> {
  r = { ...r, head: withHost(t, r.head) };
  return new Promise((resolve) => {
    const socket = rawConnect(t);
    let received = Buffer.alloc(0);
    let answered = false;
    let done = false;
    let sent = false;
    const finish = (outcome: RawAnswer['outcome']) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      const a = parseAnswer(received);
      resolve({ ...a, outcome: a.status !== undefined ? 'answered' : sent ? outcome : 'not-connected' });
    };
    const timer = setTimeout(() => finish('timeout'), r.timeoutMs);
    socket.on('data', (d: Buffer) => {
      received = Buffer.concat([received, d]);
      const a = parseAnswer(received);
      if (a.status !== undefined) answered = true;
      // A HEAD answer announces a length but has no body.
      if (a.complete || (answered && /^HEAD /.test(r.head))) finish('answered');
    });
    socket.on('error', () => finish('reset'));
    socket.on('close', () => finish('closed'));
    socket.once(t.tls ? 'secureConnect' : 'connect', () => {
      sent = true;
      const body = r.body;
      if (!body) return void socket.write(`${r.head}\r\n\r\n`);
      const bytes = Buffer.isBuffer(body) ? body : Buffer.alloc(body.size, 0x20);
      const chunked = !Buffer.isBuffer(body) && body.chunked;
      socket.write(`${r.head}\r\n${chunked ? 'transfer-encoding: chunked' : `content-length: ${bytes.length}`}\r\n\r\n`);
      let off = 0;
      const pump = () => {
        while (off < bytes.length && !answered && !done) {
          const piece = bytes.subarray(off, off + 65536);
          off += piece.length;
          const ok = socket.write(chunked ? Buffer.concat([Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n')]) : piece);
          if (!ok) return void socket.once('drain', pump);
        }
        if (off >= bytes.length && chunked && !answered && !done) socket.write('0\r\n\r\n');
      };
      pump();
    });
  });
}

/** Status, headers and (Content-Length) body of the first answer in `data`; `complete` once all of it is there. */
export function parseAnswer(data: Buffer): { status?: number; headers: Record<string, string>; body: string; complete: boolean } {
  const end = data.indexOf('\r\n\r\n');
  if (end < 0) return { headers: {}, body: '', complete: false };
  const lines = data.subarray(0, end).toString('latin1').split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '')?.[1] ?? NaN);
  const headers: Record<string, string> = {};
  for (const l of lines.slice(1)) {
    const i = l.indexOf(':');
    if (i > 0) headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
  }
  const length = Number(headers['content-length'] ?? 0);
  const body = data.subarray(end + 4, end + 4 + length).toString('utf8');
  return { status: Number.isNaN(status) ? undefined : status, headers, body, complete: data.length >= end + 4 + length };
}
