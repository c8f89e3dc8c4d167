import { createHash, randomBytes } from 'node:crypto';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startRelay, type Relay } from '../../simulators/deploy/relay.ts';

const HOST = '127.0.0.1';
const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function backend(onConnection: (s: Socket) => void): Promise<number> {
  const server: Server = createServer({ allowHalfOpen: true }, onConnection);
  await new Promise<void>((r) => server.listen(0, HOST, r));
  cleanup.push(() => new Promise((r) => server.close(() => r())));
  return (server.address() as { port: number }).port;
}

async function relayTo(port: number): Promise<number> {
  // Port 0: let the OS choose, then read it back from the listening route.
  const relay: Relay = await startRelay([{ bind: { address: HOST, port: 0 }, target: { address: HOST, port }, label: 'test' }]);
  cleanup.push(() => relay.close());
  return relay.routes[0]!.boundPort!;
}

function request(port: number, payload: Buffer, halfClose: boolean): Promise<{ data: Buffer; error?: string }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const s = connect({ host: HOST, port, allowHalfOpen: true });
    s.on('data', (c: Buffer) => chunks.push(c));
    s.on('error', (err: NodeJS.ErrnoException) => resolve({ data: Buffer.concat(chunks), error: err.code }));
    s.on('end', () => resolve({ data: Buffer.concat(chunks) }));
    s.write(payload);
    if (halfClose) s.end();
  });
}

describe('TCP relay to a home process', () => {
  it('carries bytes both ways unchanged, and a half-close reaches the far side while the reply still flows back', async () => {
    // The backend answers with the hash of everything it got, after the client's FIN.
    const port = await backend((s) => {
      const h = createHash('sha256');
      s.on('data', (c: Buffer) => h.update(c));
      s.on('end', () => s.end(h.digest()));
    });
    const payload = randomBytes(3 * 1024 * 1024 + 17);
    const { data, error } = await request(await relayTo(port), payload, true);
    expect(error).toBeUndefined();
    expect(data.equals(createHash('sha256').update(payload).digest())).toBe(true);
  });

  it('passes what a server-first protocol sends on connect (the 902 banner) before the client says anything', async () => {
    const port = await backend((s) => s.end('220 banner\r\n'));
    const { data } = await request(await relayTo(port), Buffer.alloc(0), false);
    expect(data.toString()).toBe('220 banner\r\n');
  });

  it('resets the client when nothing listens on the home port (a guest service not started yet)', async () => {
    const closed = await backend(() => {});
    for (const c of cleanup.splice(0)) await c(); // free the port again: now nothing listens there
    const { error } = await request(await relayTo(closed), Buffer.from('hello'), false);
    expect(error).toBe('ECONNRESET');
  });

  it('refuses to start on a port that is taken, naming the route', async () => {
    const port = await backend(() => {});
    await expect(startRelay([{ bind: { address: HOST, port }, target: { address: HOST, port }, label: 'esxi-01:authd' }])).rejects.toThrow(
      `esxi-01:authd: cannot listen on ${HOST}:${port}: EADDRINUSE`,
    );
  });
});
