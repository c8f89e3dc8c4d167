import { createSocket } from 'node:dgram';
import { randomInt } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { ProxyNet } from '../../net/proxy-net.ts';
import {
  decodeNtp,
  encodeNtp,
  kissCode,
  LEAP_NAMES,
  LEAP_UNSYNCHRONIZED,
  NtpDecodeError,
  NtpMode,
  ntpToUnixMs,
  refIdText,
  unixMsToNtp,
  type LeapName,
  type NtpPacket,
} from '../../../simulators/core/codecs/ntp.ts';

export interface SntpQueryOptions {
  /** How long to wait for a usable reply. Default 5000 ms (ntpdig's default). */
  timeoutMs?: number;
  /** Real port; default 123. */
  port?: number;
  /** Protocol version to send (1..4); default 4. */
  version?: number;
}

export interface SntpResult {
  /** Server clock minus local clock, ms: ((T2-T1)+(T3-T4))/2. Meaningless when `usable` is false. */
  offsetMs: number;
  /** Round trip minus server hold time, ms: (T4-T1)-(T3-T2). */
  delayMs: number;
  stratum: number;
  leap: LeapName;
  /** Dotted quad for stratum >= 2, ASCII (clock source or kiss code) for stratum 0/1. */
  refId: string;
  /** The kiss code of a Kiss-o'-Death reply (stratum 0): "RATE", "DENY"... */
  kod?: string;
  /** False for a Kiss-o'-Death or an unsynchronized (LI=3) server: its time must not be used. */
  usable: boolean;
  /** Why the reply is not usable. */
  problem?: string;
  version: number;
  /** The server's transmit time. */
  serverTime: Date;
}

export class SntpError extends Error {
  constructor(
    message: string,
    readonly code: 'TIMEOUT' | 'BAD_REPLY' | 'SOCKET',
  ) {
    super(message);
  }
}

/**
 * One SNTP exchange with a server (RFC 4330 section 5), checked the way ntpdig checks replies:
 * replies whose origin timestamp is not our transmit timestamp are ignored (stale or forged);
 * wrong mode or version, stratum above 15, a zero origin, or stratum 0 without a kiss code reject
 * the query; Kiss-o'-Death and LI=3 come back with `usable: false` so callers can tell them apart.
 */
export async function sntpQuery(net: ProxyNet, host: string, opts: SntpQueryOptions = {}): Promise<SntpResult> {
  const timeoutMs = opts.timeoutMs ?? 5000;
  const target = net.resolve(host, opts.port ?? 123);
  const socket = createSocket('udp4');
  const local = net.config.localAddress && target.address.startsWith('127.') ? net.config.localAddress : undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind({ address: local, port: 0 }, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    return await exchange(socket, target.address, target.port, host, timeoutMs, opts.version ?? 4);
  } catch (err) {
    if (err instanceof SntpError) throw err;
    throw new SntpError(`SNTP query to ${host}: ${(err as Error).message}`, 'SOCKET');
  } finally {
    socket.close();
  }
}

function exchange(socket: ReturnType<typeof createSocket>, address: string, port: number, host: string, timeoutMs: number, version: number): Promise<SntpResult> {
  return new Promise((resolve, reject) => {
    const ignored: string[] = [];
    const sentAtMs = Date.now();
    const sentAtHr = performance.now();
    // Random low bits below the millisecond make the origin check a real nonce (RFC 4330 section 3).
    const transmit = unixMsToNtp(sentAtMs) | BigInt(randomInt(0, 1 << 22));
    const request: NtpPacket = {
      leap: 0, version, mode: NtpMode.client, stratum: 0, poll: 6, precision: -20, rootDelay: 0, rootDispersion: 0,
      refId: Buffer.alloc(4), referenceTimestamp: 0n, originTimestamp: 0n, receiveTimestamp: 0n, transmitTimestamp: transmit,
    };
    const timer = setTimeout(() => {
      const why = ignored.length ? ` (ignored: ${ignored.join('; ')})` : '';
      finish(new SntpError(`no SNTP reply from ${host} within ${timeoutMs} ms${why}`, 'TIMEOUT'));
    }, timeoutMs);
    const finish = (outcome: SntpResult | Error) => {
      clearTimeout(timer);
      socket.off('message', onMessage);
      socket.off('error', onError);
      if (outcome instanceof Error) reject(outcome);
      else resolve(outcome);
    };
    const onError = (err: Error) => finish(new SntpError(`SNTP query to ${host}: ${err.message}`, 'SOCKET'));
    const onMessage = (msg: Buffer, rinfo: { address: string; port: number }) => {
      // T4 from the monotonic clock, anchored at T1, so the delay has sub-millisecond resolution.
      const receivedAtMs = sentAtMs + (performance.now() - sentAtHr);
      if (rinfo.address !== address || rinfo.port !== port) {
        ignored.push(`datagram from ${rinfo.address}:${rinfo.port}`);
        return;
      }
      let reply: NtpPacket;
      try {
        reply = decodeNtp(msg);
      } catch (err) {
        if (!(err instanceof NtpDecodeError)) throw err;
        return finish(new SntpError(`bad SNTP reply from ${host}: ${err.message}`, 'BAD_REPLY'));
      }
      if (reply.originTimestamp !== transmit) {
        ignored.push(reply.originTimestamp === 0n ? 'reply with origin timestamp 0' : 'reply whose origin is not our transmit timestamp');
        return;
      }
      const verdict = check(reply, host);
      if (verdict instanceof Error) return finish(verdict);
      finish(toResult(reply, sentAtMs, receivedAtMs));
    };
    socket.on('message', onMessage);
    socket.on('error', onError);
    socket.send(encodeNtp(request), port, address, (err) => {
      if (err) onError(err);
    });
  });
}

function check(reply: NtpPacket, host: string): SntpError | undefined {
  const bad = (why: string) => new SntpError(`SNTP reply from ${host} rejected: ${why}`, 'BAD_REPLY');
  if (reply.mode !== NtpMode.server) return bad(`unexpected mode ${reply.mode} (want 4, server)`);
  if (reply.version < 1 || reply.version > 4) return bad(`version ${reply.version} outside 1..4`);
  if (reply.stratum > 15) return bad(`stratum ${reply.stratum} too high`);
  if (reply.stratum === 0 && !kissCode(reply.refId)) return bad('stratum 0 without a kiss code');
  return undefined;
}

function toResult(reply: NtpPacket, t1: number, t4: number): SntpResult {
  const t2 = ntpToUnixMs(reply.receiveTimestamp);
  const t3 = ntpToUnixMs(reply.transmitTimestamp);
  const kod = reply.stratum === 0 ? kissCode(reply.refId) : undefined;
  const leap = LEAP_NAMES[reply.leap]!;
  const problem = kod
    ? `Kiss-o'-Death ${kod}${KISS_MEANING[kod] ? ': ' + KISS_MEANING[kod] : ''}`
    : reply.leap === LEAP_UNSYNCHRONIZED
      ? 'server clock is not synchronized (LI=3)'
      : undefined;
  return {
    offsetMs: (t2 - t1 + (t3 - t4)) / 2,
    delayMs: t4 - t1 - (t3 - t2),
    stratum: reply.stratum,
    leap,
    refId: refIdText(reply.refId, reply.stratum),
    kod,
    usable: !problem,
    problem,
    version: reply.version,
    serverTime: new Date(t3),
  };
}

const KISS_MEANING: Record<string, string> = {
  RATE: 'the server asks the client to reduce its polling rate',
  DENY: 'access denied by the server',
  RSTR: 'access restricted by the server',
};
