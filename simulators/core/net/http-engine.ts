import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { resolveTimeouts, type ServerTimeouts } from './timeouts.ts';

export interface HttpEngine {
  server: Server;
  /** Hands an established (TLS) connection to the HTTP parser. */
  accept(socket: Duplex): void;
  /** Stops the timeout checks; the sockets belong to the listener that accepted them. */
  close(): void;
}

/**
 * node:http as a parser for connections accepted elsewhere (our TLS listener, with its fault layer).
 * Node runs its header and request timeout checks only for a server that was listen()ed: the
 * 'listening' event starts that check loop, so it is raised here by hand, with a check interval
 * fine enough for the configured times. Without it a slowloris or a silent TLS session stays open
 * forever.
 */
export function httpEngine(timeouts: ServerTimeouts | undefined, onRequest: (req: IncomingMessage, res: ServerResponse) => void): HttpEngine {
  const server = timedHttpServer(timeouts);
  server.on('request', onRequest);
  server.emit('listening');
  return {
    server,
    accept: (socket) => server.emit('connection', socket),
    close: () => server.close(() => {}),
  };
}

/** An http.Server with the lab's timeouts, answering a timeout with 408 and a malformed request with 400, then closing. */
export function timedHttpServer(timeouts: ServerTimeouts | undefined): Server {
  const t = resolveTimeouts(timeouts);
  const server = createServer({
    headersTimeout: t.headersMs,
    requestTimeout: t.requestMs,
    keepAliveTimeout: t.idleMs,
    connectionsCheckingInterval: checkInterval(t),
  });
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    // A header or request timeout arrives here too (Node leaves the answer to this listener).
    const status = err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout' : '400 Bad Request';
    if (socket.writable) socket.end(`HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
    // A client that never reads would hold the half-closed socket open: give the answer a moment, then cut.
    setTimeout(() => socket.destroy(), 1_000).unref();
  });
  // node:http hands CONNECT (and Upgrade requests) to these events, never to 'request', and with no
  // listener drops the connection without a word: no listener here tunnels or upgrades, so say so.
  const refuse = (req: IncomingMessage, socket: Duplex) => {
    const status = req.method === 'CONNECT' ? '405 Method Not Allowed' : '501 Not Implemented';
    socket.end(`HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
    setTimeout(() => socket.destroy(), 1_000).unref();
  };
  server.on('connect', refuse);
  server.on('upgrade', refuse);
  return server;
}

/** A connection lives at most one interval past its deadline; a quarter of the shortest keeps that small. */
function checkInterval(t: Required<ServerTimeouts>): number {
  return Math.max(20, Math.min(1_000, Math.floor(Math.min(t.headersMs, t.requestMs) / 4)));
}
