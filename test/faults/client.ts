import { connect as tcpConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { Endpoint } from '../../simulators/core/types.ts';

export interface Exchange {
  /** The bytes received, in the order of the reads that delivered them. */
  reads: Buffer[];
  received: Buffer;
  /** Error code the client saw (ECONNRESET...), 'timeout' when its own deadline fired, or undefined. */
  error?: string;
  /** Milliseconds from the first write until `expect` bytes had arrived (or the exchange ended). */
  elapsedMs: number;
}

/**
 * Connects (TCP or TLS), writes `data`, and collects what comes back until `expect` bytes arrived,
 * the connection ends or fails, or `timeoutMs` passes (the client's own deadline).
 */
export function exchange(
  endpoint: Endpoint,
  data: Buffer,
  opts: { expect?: number; timeoutMs?: number; tls?: { ca: string } } = {},
): Promise<Exchange> {
  const expect = opts.expect ?? data.length;
  return new Promise((resolve) => {
    const reads: Buffer[] = [];
    let start = 0;
    let got = 0;
    let settled = false;
    const socket: Socket = opts.tls
      ? tlsConnect({ host: endpoint.bindAddress, port: endpoint.port, ca: opts.tls.ca, servername: endpoint.hostname })
      : tcpConnect({ host: endpoint.bindAddress, port: endpoint.port });
    const finish = (error?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      const elapsedMs = performance.now() - start;
      socket.destroy();
      resolve({ reads, received: Buffer.concat(reads), error, elapsedMs });
    };
    const timer = setTimeout(() => finish('timeout'), opts.timeoutMs ?? 10_000);
    socket.once(opts.tls ? 'secureConnect' : 'connect', () => {
      start = performance.now();
      socket.write(data);
    });
    socket.on('data', (d: Buffer) => {
      reads.push(d);
      got += d.length;
      if (got >= expect) finish();
    });
    socket.once('error', (err: NodeJS.ErrnoException) => finish(err.code ?? err.message));
    socket.once('close', () => finish(got >= expect ? undefined : 'closed'));
  });
}
