/**
 * The NTP/SNTP v4 packet header (RFC 5905 section 7.3, RFC 4330 section 4), shared by the lab's
 * SNTP server and the proxy's client. Timestamps stay 64-bit bigints on the wire side so an origin
 * timestamp can be echoed and compared bit for bit; conversions to Unix milliseconds are explicit.
 */

export const NTP_PACKET_LENGTH = 48;
/** Seconds from the NTP era-0 epoch (1900-01-01) to the Unix epoch (1970-01-01). */
export const NTP_UNIX_EPOCH_DELTA = 2_208_988_800;

export const NtpMode = { symmetricActive: 1, symmetricPassive: 2, client: 3, server: 4, broadcast: 5, control: 6, private: 7 } as const;

export const LEAP_NAMES = ['no-leap', 'add-leap', 'del-leap', 'unsync'] as const;
export type LeapName = (typeof LEAP_NAMES)[number];
export const LEAP_UNSYNCHRONIZED = 3;

export interface NtpPacket {
  /** Leap indicator 0..3; 3 = clock unsynchronized (alarm). */
  leap: number;
  version: number;
  mode: number;
  /** 0 = unspecified / Kiss-o'-Death, 1 = primary, 2..15 = secondary, 16 = unsynchronized. */
  stratum: number;
  /** log2 seconds, signed. */
  poll: number;
  /** log2 seconds, signed (-10 is about a millisecond). */
  precision: number;
  /** NTP short format (16.16 fixed point seconds), raw. */
  rootDelay: number;
  rootDispersion: number;
  /** The 4 raw reference-id bytes: an IPv4 address, a clock source, or a kiss code. */
  refId: Buffer;
  referenceTimestamp: bigint;
  originTimestamp: bigint;
  receiveTimestamp: bigint;
  transmitTimestamp: bigint;
}

export class NtpDecodeError extends Error {}

/**
 * Parses the 48-byte header. A datagram may carry extension fields or a MAC after it (RFC 5905
 * 7.5), so longer datagrams are accepted when their length is a multiple of 4; the tail is ignored.
 */
export function decodeNtp(buf: Buffer): NtpPacket {
  if (buf.length < NTP_PACKET_LENGTH) throw new NtpDecodeError(`${buf.length} bytes, an NTP packet has at least ${NTP_PACKET_LENGTH}`);
  if (buf.length % 4 !== 0) throw new NtpDecodeError(`${buf.length} bytes is not a multiple of 4`);
  const b0 = buf[0]!;
  return {
    leap: b0 >> 6,
    version: (b0 >> 3) & 7,
    mode: b0 & 7,
    stratum: buf[1]!,
    poll: buf.readInt8(2),
    precision: buf.readInt8(3),
    rootDelay: buf.readUInt32BE(4),
    rootDispersion: buf.readUInt32BE(8),
    refId: Buffer.from(buf.subarray(12, 16)),
    referenceTimestamp: buf.readBigUInt64BE(16),
    originTimestamp: buf.readBigUInt64BE(24),
    receiveTimestamp: buf.readBigUInt64BE(32),
    transmitTimestamp: buf.readBigUInt64BE(40),
  };
}

export function encodeNtp(p: NtpPacket): Buffer {
  const buf = Buffer.alloc(NTP_PACKET_LENGTH);
  buf[0] = ((p.leap & 3) << 6) | ((p.version & 7) << 3) | (p.mode & 7);
  buf[1] = p.stratum & 0xff;
  buf.writeInt8(p.poll, 2);
  buf.writeInt8(p.precision, 3);
  buf.writeUInt32BE(p.rootDelay >>> 0, 4);
  buf.writeUInt32BE(p.rootDispersion >>> 0, 8);
  p.refId.copy(buf, 12, 0, 4);
  buf.writeBigUInt64BE(p.referenceTimestamp, 16);
  buf.writeBigUInt64BE(p.originTimestamp, 24);
  buf.writeBigUInt64BE(p.receiveTimestamp, 32);
  buf.writeBigUInt64BE(p.transmitTimestamp, 40);
  return buf;
}

const FRACTION = 2 ** 32;

/** Unix time in (fractional) milliseconds -> 64-bit NTP timestamp (era 0, valid until 2036). */
export function unixMsToNtp(ms: number): bigint {
  const seconds = Math.floor(ms / 1000);
  const fraction = Math.floor(((ms - seconds * 1000) / 1000) * FRACTION);
  return (BigInt(seconds + NTP_UNIX_EPOCH_DELTA) << 32n) | BigInt(fraction);
}

export function ntpToUnixMs(ts: bigint): number {
  const seconds = Number(ts >> 32n) - NTP_UNIX_EPOCH_DELTA;
  const fraction = Number(ts & 0xffffffffn) / FRACTION;
  return (seconds + fraction) * 1000;
}

/** Seconds -> NTP short format (16.16). */
export function secondsToShort(seconds: number): number {
  return Math.round(seconds * 65536) >>> 0;
}

export function shortToSeconds(raw: number): number {
  return raw / 65536;
}

/**
 * A reference id from text: an IPv4 address ("192.0.2.1", the upstream server of a stratum >= 2
 * server) or up to four ASCII characters ("GPS", "LOCL", or a kiss code "RATE"), NUL padded.
 */
export function refIdFrom(text: string): Buffer {
  const ip = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  const octets = ip?.slice(1).map(Number);
  if (octets?.every((n) => n <= 255)) return Buffer.from(octets);
  // "256.0.0.1" is no address (it used to wrap to 0.0.0.1), and too long for text: refused below.
  if (!/^[\x20-\x7e]{1,4}$/.test(text)) throw new Error(`reference id "${text}" is neither an IPv4 address nor 1-4 ASCII characters`);
  const buf = Buffer.alloc(4);
  buf.write(text, 'ascii');
  return buf;
}

/** A kiss code ("RATE", "DENY"...) when the reference id is four upper-case ASCII letters, as RFC 5905 7.4 defines them. */
export function kissCode(refId: Buffer): string | undefined {
  const text = refId.toString('latin1');
  return /^[A-Z]{4}$/.test(text) ? text : undefined;
}

/** How a reference id reads for a given stratum: ASCII for stratum 0/1, dotted quad above. */
export function refIdText(refId: Buffer, stratum: number): string {
  if (stratum <= 1) return refId.toString('latin1').replace(/\0+$/, '');
  return [...refId].join('.');
}
