import { connect, createServer, type Server, type Socket } from 'node:net';

export interface RelayRoute {
  /** What the member's host listens on: its own address and real port. */
  bind: { address: string; port: number };
  /** Where the member really runs: the home host and its backend port. */
  target: { address: string; port: number };
  label: string;
  /** The port really bound (differs from bind.port only when that is 0). */
  boundPort?: number;
}

export interface Relay {
  routes: RelayRoute[];
  close(): Promise<void>;
}

const CONNECT_TIMEOUT_MS = 10_000;

/**
 * A byte-for-byte TCP relay from a member's real ports to its home process. TLS passes through
 * untouched, so clients see the member's own certificate. When the home refuses (a guest service
 * not started yet) the client's connection is reset: a relay cannot refuse after accepting.
 */
export async function startRelay(wanted: RelayRoute[]): Promise<Relay> {
  const routes = wanted.map((r) => ({ ...r }));
  const servers: Server[] = [];
  const sockets = new Set<Socket>();
  const track = (s: Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  };
  const close = async () => {
    for (const s of sockets) s.destroy();
    await Promise.all(servers.map((srv) => new Promise<void>((r) => srv.close(() => r()))));
  };
  try {
    for (const route of routes) {
      const server = createServer({ allowHalfOpen: true, noDelay: true }, (client) => pipeTo(client, route, track));
      servers.push(server);
      await new Promise<void>((ok, fail) => {
        server.once('error', (err: NodeJS.ErrnoException) => fail(new Error(`${route.label}: cannot listen on ${route.bind.address}:${route.bind.port}: ${err.code ?? err.message}`)));
        server.listen(route.bind.port, route.bind.address, () => ok());
      });
      route.boundPort = (server.address() as { port: number }).port;
    }
  } catch (err) {
    await close();
    throw err;
  }
  return { routes, close };
}

function pipeTo(client: Socket, route: RelayRoute, track: (s: Socket) => void): void {
  track(client);
  const upstream = connect({ host: route.target.address, port: route.target.port, allowHalfOpen: true, noDelay: true });
  track(upstream);
  const timer = setTimeout(() => upstream.destroy(new Error('connect timeout')), CONNECT_TIMEOUT_MS);
  upstream.once('connect', () => {
    clearTimeout(timer);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  upstream.once('error', () => {
    clearTimeout(timer);
    if (!client.destroyed) client.resetAndDestroy();
  });
  client.once('error', () => upstream.destroy());
  // A full close on either side ends the pair; half-closes travel through the pipes.
  upstream.once('close', () => client.destroySoon());
  client.once('close', () => (upstream.connecting ? upstream.destroy() : upstream.destroySoon()));
}
