import type { Duplex } from 'node:stream';

/**
 * Ends a probe connection without a reset: send the last words and FIN, then read and discard what
 * the client is still sending (closing with unread data would make the kernel answer with RST),
 * and destroy after `drainMs` whatever happens.
 */
export function closeGracefully(stream: Duplex, last?: Buffer | string, drainMs = 2000): void {
  const timer = setTimeout(() => stream.destroy(), drainMs).unref();
  stream.once('close', () => clearTimeout(timer));
  stream.on('data', () => {});
  stream.on('end', () => stream.destroy());
  stream.resume();
  stream.end(last);
}
