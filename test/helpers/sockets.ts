import { connect, type Socket } from 'node:net';

/**
 * Connects, sends `data`, and resolves when the server closes the connection. timeoutMs only turns a
 * server that never closes into a clear failure: it must outlast the server's own timeouts on a loaded machine.
 */
export function sendAndAwaitClose(host: string, port: number, data: Buffer, timeoutMs = 120_000): Promise<{ received: Buffer }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket: Socket = connect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`server at ${host}:${port} did not close the connection within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on('data', (d) => chunks.push(d));
    socket.on('error', () => {});
    socket.once('connect', () => socket.write(data, () => {}));
    socket.once('close', () => {
      clearTimeout(timer);
      resolve({ received: Buffer.concat(chunks) });
    });
  });
}

/** Resolves with the error code of a TCP connect attempt, or 'connected'. */
export function tryConnect(host: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'));
  });
}
