import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ConnContext, RequestHandler } from './listen.ts';
import type { ServerTimeouts } from './timeouts.ts';
import { timedHttpServer } from './http-engine.ts';

export interface PlainHttpServer {
  host: string;
  port: number;
  close(): Promise<void>;
}

let connCounter = 0;

/**
 * Plain HTTP on one address, for control planes outside the simulated network (the admin API): no
 * TLS, no connection faults and no trace events of its own. Handlers get a ConnContext like
 * listenHttps handlers do, so msw handler lists served by `mswRequestHandler` work unchanged.
 */
export async function listenPlainHttp(opts: { name: string; host: string; port?: number; timeouts?: ServerTimeouts }, handler: RequestHandler): Promise<PlainHttpServer> {
  // Bound with listen() below, so node:http runs its header and request timeout checks itself.
  const server = timedHttpServer(opts.timeouts);
  const bound = { port: opts.port ?? 0 };
  const contexts = new WeakMap<object, ConnContext>();
  const contextOf = (req: IncomingMessage): ConnContext => {
    let ctx = contexts.get(req.socket);
    if (!ctx) {
      const peerAddress = req.socket.remoteAddress ?? '?';
      const peerPort = req.socket.remotePort ?? 0;
      ctx = {
        id: `h${++connCounter}`,
        peerAddress,
        peerPort,
        peer: `${peerAddress}:${peerPort}`,
        listener: { component: opts.name, listener: 'http', protocol: 'http', address: opts.host, port: bound.port, realPort: bound.port },
        trace: () => {},
      };
      contexts.set(req.socket, ctx);
    }
    return ctx;
  };
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    Promise.resolve(handler(req, res, contextOf(req))).catch((err: Error) => {
      if (res.headersSent) return void res.destroy();
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ code: 'internal', message: err.message }));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(new Error(`cannot start ${opts.name} on ${opts.host}:${bound.port}: ${err.code === 'EADDRINUSE' ? 'the port is already in use' : err.message}`)),
    );
    server.listen({ host: opts.host, port: bound.port, exclusive: true }, () => resolve());
  });
  const address = server.address();
  if (address && typeof address === 'object') bound.port = address.port;
  return {
    host: opts.host,
    port: bound.port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Responses that ended just now get a moment to flush; long-lived ones (event streams) are cut.
        setTimeout(() => server.closeAllConnections(), 200).unref();
      }),
  };
}
