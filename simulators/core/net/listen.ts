import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createSecureContext, TLSSocket, type SecureContext } from 'node:tls';
import { createSocket, type RemoteInfo, type Socket as UdpSocket } from 'node:dgram';
import type { Duplex } from 'node:stream';
import type { TraceBus } from '../trace/bus.ts';
import type { TraceKind, TraceEvent } from '../types.ts';
import type { FaultRegistry } from '../faults/registry.ts';
import { applyConnectionFault, CONNECTION_FAULTS } from './conn-faults.ts';
import { httpEngine } from './http-engine.ts';
import { DEFAULT_TIMEOUTS, type ServerTimeouts } from './timeouts.ts';
import { ioDeadline } from './deadline.ts';

export interface ListenerIdentity {
  component: string;
  listener: string;
  protocol: string;
  address: string;
  port: number;
  realPort: number;
  /** Where to bind when it differs from `address` (single-host mode). */
  bindAddress?: string;
  /**
   * The port clients reach when it is not the bound one: a deployment binds members on backend
   * ports of their home host and relays the real port of each member's own address to it.
   */
  clientPort?: number;
}

/** Per-connection facts plus a trace helper with from/to/port/protocol already filled in. */
export interface ConnContext {
  id: string;
  peerAddress: string;
  peerPort: number;
  /** Component name of the peer when it is a lab component, else "ip:port". */
  peer: string;
  listener: ListenerIdentity;
  trace(kind: TraceKind, summary: string, extra?: Partial<TraceEvent>): void;
}

export interface ListenDeps {
  trace: TraceBus;
  faults: FaultRegistry;
  peerName(address: string): string | undefined;
  /** How long a client may take to finish a TLS handshake (default 10 s); `timeouts.handshakeMs` wins. */
  handshakeTimeoutMs?: number;
  /** Per-connection server timeouts of every listener (docs/reliability.md). */
  timeouts?: ServerTimeouts;
}

function handshakeMsOf(deps: ListenDeps): number {
  return deps.timeouts?.handshakeMs ?? deps.handshakeTimeoutMs ?? DEFAULT_TIMEOUTS.handshakeMs;
}

export interface Listener {
  identity: ListenerIdentity;
  close(): Promise<void>;
}

/** A listener whose close also runs `also` (stopping an HTTP engine's timeout checks). */
export function closing(listener: Listener, also: () => void): Listener {
  return { identity: listener.identity, close: () => (also(), listener.close()) };
}

export interface TlsMaterial {
  cert: string;
  key: string;
  /** Defaults: TLS 1.2 minimum, 1.3 maximum. */
  minVersion?: 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';
  maxVersion?: 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';
  ciphers?: string;
}

let connCounter = 0;

export function secureContextFor(tls: TlsMaterial): SecureContext {
  return createSecureContext({
    cert: tls.cert,
    key: tls.key,
    minVersion: tls.minVersion ?? 'TLSv1.2',
    maxVersion: tls.maxVersion ?? 'TLSv1.3',
    ciphers: tls.ciphers,
  });
}

export function connContext(deps: ListenDeps, identity: ListenerIdentity, peerAddress: string, peerPort: number): ConnContext {
  const id = `c${++connCounter}`;
  const peer = deps.peerName(peerAddress) ?? `${peerAddress}:${peerPort}`;
  return {
    id,
    peerAddress,
    peerPort,
    peer,
    listener: identity,
    trace: (kind, summary, extra) =>
      deps.trace.emit({
        kind,
        from: peer,
        to: identity.component,
        port: identity.realPort,
        protocol: identity.protocol,
        summary,
        conn: id,
        ...extra,
      }),
  };
}

/**
 * Server-side TLS on any duplex (a raw socket, a fault-wrapped stream, or the plain-text phase of
 * authd on 902). Resolves once the handshake is done; rejects (and destroys) on failure or after
 * `timeoutMs`, so a half-open handshake never holds a slot.
 */
export function acceptTls(stream: Duplex, context: SecureContext, ctx: ConnContext, timeoutMs = 10_000): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const tls = new TLSSocket(stream, { isServer: true, secureContext: context });
    const deadline = ioDeadline(timeoutMs, () => fail(new Error(`TLS handshake not finished within ${timeoutMs} ms`)));
    const fail = (err: Error) => {
      deadline.clear();
      ctx.trace('error', `TLS handshake failed: ${err.message}`);
      tls.destroy();
      stream.destroy();
      reject(err);
    };
    tls.once('error', fail);
    // A client that connects and leaves without a word raises no TLS error: without this the
    // handshake timer would keep a stopped lab's process alive until it fired.
    const gone = () => {
      deadline.clear();
      reject(new Error('connection closed before the TLS handshake'));
    };
    stream.once('close', gone);
    tls.once('secure', () => {
      deadline.clear();
      stream.off('close', gone);
      tls.off('error', fail);
      tls.on('error', () => tls.destroy());
      const cipher = tls.getCipher();
      const sni = (tls as TLSSocket & { servername?: string | false }).servername;
      ctx.trace('tls', `TLS established ${tls.getProtocol()} ${cipher?.name ?? ''}`.trim(), {
        tls: { version: tls.getProtocol() ?? '', cipher: cipher?.name ?? '', sni: sni || undefined },
      });
      resolve(tls);
    });
  });
}

/**
 * A TCP listener with the bpsim plumbing every port shares: connect/close trace with byte counts,
 * the connection-fault layer, and error isolation (a bad client never takes the listener down).
 */
export async function listenTcp(
  deps: ListenDeps,
  identity: ListenerIdentity,
  onConnection: (stream: Duplex, ctx: ConnContext, socket: Socket) => void,
): Promise<Listener> {
  const sockets = new Set<Socket>();
  const server: NetServer = createNetServer({ pauseOnConnect: false }, (socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    const ctx = connContext(deps, identity, socket.remoteAddress ?? '?', socket.remotePort ?? 0);
    ctx.trace('connect', `TCP connect ${identity.address}:${identity.realPort}`);
    socket.once('close', () => {
      sockets.delete(socket);
      ctx.trace('close', 'closed', { bytes: { in: socket.bytesRead, out: socket.bytesWritten } });
    });
    const fault = deps.faults.take(identity.component, [...CONNECTION_FAULTS], identity.listener);
    if (fault) ctx.trace('fault', `connection fault ${fault.type}`, { data: { fault } });
    const stream = applyConnectionFault(socket, fault, ctx.trace);
    if (!stream) return;
    try {
      onConnection(stream, ctx, socket);
    } catch (err) {
      ctx.trace('error', `handler failed: ${(err as Error).message}`);
      socket.destroy();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      reject(bindError(identity, err));
    });
    server.listen({ host: identity.bindAddress ?? identity.address, port: identity.port, exclusive: true }, () => resolve());
  });
  server.on('error', (err) => deps.trace.emit({ kind: 'error', from: identity.component, to: identity.component, port: identity.realPort, protocol: identity.protocol, summary: `listener error: ${err.message}` }));
  const actual = server.address();
  if (actual && typeof actual === 'object') identity.port = actual.port;
  return {
    identity,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

export function bindError(identity: ListenerIdentity, err: NodeJS.ErrnoException): Error {
  const where = `${identity.component} (${identity.listener}) on ${identity.bindAddress ?? identity.address}:${identity.port}`;
  const why =
    err.code === 'EADDRINUSE'
      ? 'the port is already in use'
      : err.code === 'EACCES'
        ? 'permission denied (ports below 1024 need root, CAP_NET_BIND_SERVICE or ports: "offset")'
        : err.code === 'EADDRNOTAVAIL'
          ? 'the address is not available on this machine'
          : err.message;
  const e = new Error(`cannot start ${where}: ${why}`) as NodeJS.ErrnoException;
  e.code = err.code;
  return e;
}

/** Where a TLS listener gets its certificate: fixed, or chosen per connection (certificate faults). */
export type TlsSource = TlsMaterial | (() => TlsMaterial | Promise<TlsMaterial>);

const contexts = new WeakMap<TlsMaterial, SecureContext>();

/** One SecureContext per certificate, built once: creating them per connection costs a millisecond each. */
export function secureContextOf(material: TlsMaterial): SecureContext {
  let c = contexts.get(material);
  if (!c) {
    c = secureContextFor(material);
    contexts.set(material, c);
  }
  return c;
}

/** TLS on top of listenTcp: the handler sees only established TLS sessions. */
export function listenTls(
  deps: ListenDeps,
  identity: ListenerIdentity,
  tls: TlsSource,
  onSecure: (socket: TLSSocket, ctx: ConnContext) => void,
): Promise<Listener> {
  return listenTcp(deps, identity, (stream, ctx) => {
    Promise.resolve(typeof tls === 'function' ? tls() : tls)
      .then((material) => acceptTls(stream, secureContextOf(material), ctx, handshakeMsOf(deps)))
      .then(
        (socket) => onSecure(socket, ctx),
        () => {},
      );
  });
}

export type RequestHandler = (req: IncomingMessage, res: ServerResponse, ctx: ConnContext) => void | Promise<void>;

const ctxOfSocket = new WeakMap<object, ConnContext>();


export interface HttpsOptions {
  /** Emit request/response trace events for every HTTP exchange (components with richer summaries turn this off). */
  traceRequests?: boolean;
}

/** HTTPS: TLS from listenTls, HTTP/1.1 parsing from node:http fed with the secured socket. */
export function listenHttps(
  deps: ListenDeps,
  identity: ListenerIdentity,
  tls: TlsSource,
  handler: RequestHandler,
  opts: HttpsOptions = {},
): Promise<Listener> {
  const engine = httpEngine(deps.timeouts, (req: IncomingMessage, res: ServerResponse) => {
    const ctx = ctxOfSocket.get(req.socket)!;
    if (opts.traceRequests !== false) {
      ctx.trace('request', `${req.method} ${req.url}`);
      res.once('finish', () => ctx.trace('response', `${res.statusCode} ${req.method} ${req.url}`));
    }
    Promise.resolve(handler(req, res, ctx)).catch((err: Error) => {
      ctx.trace('error', `handler failed: ${err.message}`);
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ code: 'internal', message: err.message }));
      } else res.destroy();
    });
  });
  return listenTls(deps, identity, tls, (socket, ctx) => {
    ctxOfSocket.set(socket, ctx);
    engine.accept(socket);
  }).then((listener) => closing(listener, engine.close));
}

export interface UdpContext {
  rinfo: RemoteInfo;
  peer: string;
  trace(kind: TraceKind, summary: string, extra?: Partial<TraceEvent>): void;
}

/** A UDP listener (NTP); the handler returns the reply datagram or null for "no reply". */
export async function listenUdp(
  deps: ListenDeps,
  identity: ListenerIdentity,
  onMessage: (msg: Buffer, ctx: UdpContext) => Buffer | null | Promise<Buffer | null>,
): Promise<Listener> {
  const socket: UdpSocket = createSocket({ type: 'udp4', reuseAddr: false });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', (err: NodeJS.ErrnoException) => reject(bindError(identity, err)));
    socket.bind({ address: identity.bindAddress ?? identity.address, port: identity.port, exclusive: true }, () => resolve());
  });
  socket.on('error', () => {});
  identity.port = socket.address().port;
  socket.on('message', (msg, rinfo) => {
    const peer = deps.peerName(rinfo.address) ?? `${rinfo.address}:${rinfo.port}`;
    const ctx: UdpContext = {
      rinfo,
      peer,
      trace: (kind, summary, extra) =>
        deps.trace.emit({ kind, from: peer, to: identity.component, port: identity.realPort, protocol: identity.protocol, summary, ...extra }),
    };
    const fault = deps.faults.take(identity.component, ['refuse', 'blackhole'], identity.listener);
    if (fault) {
      ctx.trace('fault', `datagram dropped (${fault.type})`);
      return;
    }
    Promise.resolve(onMessage(msg, ctx)).then(
      (reply) => {
        if (reply) socket.send(reply, rinfo.port, rinfo.address);
      },
      (err: Error) => ctx.trace('error', `handler failed: ${err.message}`),
    );
  });
  return { identity, close: () => new Promise<void>((resolve) => socket.close(() => resolve())) };
}
