import type { Socket } from 'node:net';
import type { ProxyNet } from '../../net/proxy-net.ts';
import { FrameError, readFrame, type ReadFrameOptions } from '../../../simulators/core/net/read-frame.ts';

export type ProbeState = 'open' | 'closed' | 'filtered';

export interface ProbeResult {
  host: string;
  port: number;
  /** open: the service answered (correctly or not, see detail); closed: refused or reset; filtered: no answer in time. */
  state: ProbeState;
  detail: string;
  /** True when the reply was what the service should say. */
  recognized: boolean;
}

export interface ProbeOptions {
  /** Deadline for connecting plus the service's reply. Default 5000 ms. */
  timeoutMs?: number;
}

export interface ServiceCheck {
  /** Bytes to send once connected (RDP speaks first; SSH waits for the server). */
  hello?: Buffer;
  read: Omit<ReadFrameOptions, 'timeoutMs'>;
  /** Judge a complete reply: the detail text, and whether it is the expected service. */
  judge(frame: Buffer): { recognized: boolean; detail: string };
  /** What a reply that never forms a frame looks like, for the detail text. */
  describeGarbage(partial: Buffer): string;
}

/**
 * Connect, optionally speak, read one reply, and classify like a port scanner: refused or reset
 * before any byte -> closed; no connection or no reply before the deadline -> filtered; any reply
 * -> open, with `recognized` telling whether it was the expected service.
 */
export async function probeTcp(net: ProxyNet, host: string, realPort: number, check: ServiceCheck, opts: ProbeOptions = {}): Promise<ProbeResult> {
  const timeoutMs = opts.timeoutMs ?? 5000;
  const started = Date.now();
  const result = (state: ProbeState, detail: string, recognized = false): ProbeResult => ({ host, port: realPort, state, detail, recognized });
  let socket: Socket;
  try {
    socket = await net.connectTcp(host, realPort, timeoutMs);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ECONNREFUSED') return result('closed', 'connection refused');
    if (e.code === 'ECONNRESET') return result('closed', 'connection reset');
    if (e.code === 'ETIMEDOUT') return result('filtered', `no answer to the connection attempt within ${timeoutMs} ms`);
    if (e.code === 'EHOSTUNREACH' || e.code === 'ENETUNREACH') return result('filtered', `${e.code}: host unreachable`);
    throw err;
  }
  socket.on('error', () => {});
  try {
    if (check.hello) socket.write(check.hello);
    const { frame } = await readFrame(socket, { ...check.read, timeoutMs: Math.max(1, timeoutMs - (Date.now() - started)) });
    const verdict = check.judge(frame);
    return result('open', verdict.detail, verdict.recognized);
  } catch (err) {
    if (!(err instanceof FrameError)) throw err;
    if (err.reason === 'timeout' && err.partial.length === 0) return result('filtered', `connected, but no reply within ${timeoutMs} ms`);
    if (err.reason === 'closed' && err.partial.length === 0) return result('closed', 'connection closed or reset before any reply');
    return result('open', `unexpected reply: ${check.describeGarbage(err.partial)} (${err.message})`);
  } finally {
    socket.destroy();
  }
}

export function printable(buf: Buffer): string {
  return JSON.stringify(buf.subarray(0, 48).toString('latin1'));
}
