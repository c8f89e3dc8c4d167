import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ComponentContext } from '../../core/component.ts';
import { acceptTls, closing, listenTcp, secureContextFor, type ConnContext, type Listener, type RequestHandler } from '../../core/net/listen.ts';
import { httpEngine } from '../../core/net/http-engine.ts';

export interface InternalListenArgs {
  listener: string;
  realPort: number;
  protocol: string;
  /** Where to bind: the guest's internal loopback (not its public address). */
  bindAddress: string;
  port: number;
  /** Only these peers get past TCP accept; others are reset before any byte. */
  allowPeer(address: string): boolean;
}

/**
 * An HTTPS listener inside a guest that the rest of the lab cannot use: bound to the guest's own
 * loopback (so nothing listens on the guest's public address and a connection there is refused),
 * absent from the lab's endpoint table, and resetting any connection from another address.
 */
export async function listenInternalHttps(ctx: ComponentContext<unknown>, args: InternalListenArgs, handler: RequestHandler): Promise<Listener> {
  const deps = { trace: ctx.trace, faults: ctx.faults, peerName: (a: string) => ctx.netmap.nameOf(a), timeouts: ctx.timeouts };
  const secure = secureContextFor(ctx.cert);
  const connOf = new WeakMap<object, ConnContext>();
  const engine = httpEngine(ctx.timeouts, (req: IncomingMessage, res: ServerResponse) => {
    const conn = connOf.get(req.socket)!;
    conn.trace('request', `guestossvc -> PhoenixSQLGuestPlugin ${req.method} ${req.url}`);
    res.once('finish', () => conn.trace('response', `${res.statusCode} ${req.method} ${req.url}`));
    Promise.resolve(handler(req, res, conn)).catch((err: Error) => {
      conn.trace('error', `handler failed: ${err.message}`);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ code: 'internal', message: err.message }));
      else res.destroy();
    });
  });
  const listener = await listenTcp(
    deps,
    { component: ctx.name, listener: args.listener, protocol: args.protocol, address: ctx.address, bindAddress: args.bindAddress, port: args.port, realPort: args.realPort },
    (stream, conn, socket) => {
      if (!args.allowPeer(conn.peerAddress)) {
        conn.trace('fault', `refused: ${conn.peerAddress} is not inside the guest (the plugin accepts guestossvc only)`);
        socket.resetAndDestroy();
        return;
      }
      acceptTls(stream, secure, conn, ctx.timeouts.handshakeMs).then(
        (tls) => {
          connOf.set(tls, conn);
          engine.accept(tls);
        },
        () => {},
      );
    },
  );
  ctx.trace.emit({ kind: 'listen', from: ctx.name, to: ctx.name, port: args.realPort, protocol: args.protocol, summary: `listening on ${args.bindAddress}:${listener.identity.port} (inside the guest only)` });
  return closing(listener, engine.close);
}
