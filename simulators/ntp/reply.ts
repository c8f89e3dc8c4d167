import { LEAP_UNSYNCHRONIZED, NtpMode, refIdFrom, secondsToShort, unixMsToNtp, type NtpPacket } from '../core/codecs/ntp.ts';
import type { NtpBehaviour } from './options.ts';

/** The host clock is read in whole milliseconds, so the server claims 2^-10 s (about 1 ms). */
export const SERVER_PRECISION = -10;
const MIN_POLL = 4;
const MAX_POLL = 17;

/**
 * The mode 4 reply to a mode 3 request (RFC 5905 section 8, RFC 4330 section 5): origin = the
 * client's transmit timestamp, receive/transmit = the server clock (host clock + offset).
 * A Kiss-o'-Death carries stratum 0, the kiss code as reference id and no usable time: like ntpd it
 * echoes the client's transmit timestamp in every timestamp field.
 */
export function buildReply(request: NtpPacket, b: NtpBehaviour, receivedAtMs: number, nowMs: number): NtpPacket {
  const base = {
    version: request.version,
    mode: NtpMode.server,
    poll: Math.min(MAX_POLL, Math.max(MIN_POLL, request.poll)),
    precision: SERVER_PRECISION,
    originTimestamp: request.transmitTimestamp,
  };
  if (b.kod) {
    const t = request.transmitTimestamp;
    return { ...base, leap: LEAP_UNSYNCHRONIZED, stratum: 0, rootDelay: 0, rootDispersion: 0, refId: refIdFrom(b.kod), referenceTimestamp: 0n, receiveTimestamp: t, transmitTimestamp: t };
  }
  const clock = (ms: number) => unixMsToNtp(ms + b.offsetMs);
  return {
    ...base,
    leap: b.unsynchronized ? LEAP_UNSYNCHRONIZED : 0,
    stratum: b.stratum,
    // Plausible upstream figures for a LAN server: 10 ms to the primary, 20 ms dispersion.
    rootDelay: secondsToShort(0.01 * (b.stratum - 1)),
    rootDispersion: secondsToShort(0.02),
    refId: refIdFrom(b.refId),
    // Last set from upstream a minute ago.
    referenceTimestamp: b.unsynchronized ? 0n : clock(nowMs - 60_000),
    receiveTimestamp: clock(receivedAtMs),
    transmitTimestamp: clock(nowMs),
  };
}
