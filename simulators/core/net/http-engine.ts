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
  // node:http closes a connection after its last answer with destroySoon(): FIN, then a destroy that
  // turns any bytes the client is still sending into a reset, which can cost the client that answer
  // (a 400 for a missing Host, a 413, Connection: close). Every close after an answer lingers instead.
  server.on('connection', (socket: Duplex & { destroySoon?: () => void }) => {
    socket.destroySoon = () => lingerClose(socket);
  });
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    // A header or request timeout arrives here too (Node leaves the answer to this listener).
    const status = err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout' : '400 Bad Request';
    answerAndLinger(socket, `HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
  });
  // node:http hands CONNECT (and Upgrade requests) to these events, never to 'request', and with no
  // listener drops the connection without a word: no listener here tunnels or upgrades, so say so.
  const refuse = (req: IncomingMessage, socket: Duplex) => {
    const status = req.method === 'CONNECT' ? '405 Method Not Allowed' : '501 Not Implemented';
    answerAndLinger(socket, `HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
  };
  server.on('connect', refuse);
  server.on('upgrade', refuse);
  return server;
}

/** How long a closing connection waits for the client to finish sending and hang up: nginx's lingering_time. */
const LINGER_MS = 30_000;

/**
 * Ends a connection after its last answer without losing that answer. The client may still be
 * sending (a body the server no longer reads); closing with its bytes unread makes the kernel reset
 * the connection, and a reset discards the answer at a client that has not read it yet: issue 17's
 * fuzz run saw 408s after slow uploads on a busy lab arrive as resets (the socket used to be cut
 * 1 s after the answer). So: FIN after the answer, then read and drop what still comes until the
 * client hangs up, LINGER_MS at most (only a socket is held; nothing is kept).
 */
export function lingerClose(socket: Duplex): void {
  if (socket.destroyed) return;
  const cut = setTimeout(() => socket.destroy(), LINGER_MS).unref();
  socket.once('close', () => clearTimeout(cut));
  socket.on('data', () => {});
  socket.end();
  socket.resume();
}

/** Writes a last answer (raw bytes: the parser is gone) and closes the connection as lingerClose does. */
export function answerAndLinger(socket: Duplex, answer: string): void {
  if (socket.writable) socket.write(answer);
  lingerClose(socket);
}

/** A connection lives at most one interval past its deadline; a quarter of the shortest keeps that small. */
function checkInterval(t: Required<ServerTimeouts>): number {
  return Math.max(20, Math.min(1_000, Math.floor(Math.min(t.headersMs, t.requestMs) / 4)));
}
