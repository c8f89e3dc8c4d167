import { test, expect } from 'vitest';
import { decodeNtp, encodeNtp, kissCode, NtpDecodeError, ntpToUnixMs, refIdFrom, refIdText, secondsToShort, shortToSeconds, unixMsToNtp } from '../../simulators/core/codecs/ntp.ts';

test('timestamps: the Unix epoch is 2208988800 s after the NTP epoch', () => {
  expect(unixMsToNtp(0)).toBe(0x83aa7e80n << 32n);
  expect(unixMsToNtp(1500)).toBe(((0x83aa7e80n + 1n) << 32n) | 0x80000000n);
  const now = Date.now();
  expect(Math.abs(ntpToUnixMs(unixMsToNtp(now)) - now)).toBeLessThan(0.001);
});

test('header fields survive encode/decode, bit-exact', () => {
  const p = decodeNtp(Buffer.from('e40200ecffffffff0000051e4750530000000000000000000123456789abcdef83aa7e800000000083aa7e8180000000', 'hex'));
  expect(p).toMatchObject({ leap: 3, version: 4, mode: 4, stratum: 2, poll: 0, precision: -20, rootDelay: 0xffffffff, rootDispersion: 0x51e });
  expect(p.originTimestamp).toBe(0x0123456789abcdefn);
  expect(refIdText(p.refId, 1)).toBe('GPS');
  expect(encodeNtp(p).toString('hex')).toBe('e40200ecffffffff0000051e4750530000000000000000000123456789abcdef83aa7e800000000083aa7e8180000000');
});

test('reference ids and kiss codes', () => {
  expect([...refIdFrom('192.0.2.1')]).toEqual([192, 0, 2, 1]);
  expect(refIdText(refIdFrom('192.0.2.1'), 2)).toBe('192.0.2.1');
  expect(kissCode(refIdFrom('RATE'))).toBe('RATE');
  expect(kissCode(refIdFrom('GPS'))).toBeUndefined();
  expect(() => refIdFrom('toolong')).toThrow(/neither an IPv4 address nor 1-4 ASCII/);
});

test('a datagram shorter than 48 bytes or not a multiple of 4 is refused; extension fields and a MAC after the header are ignored (RFC 5905 7.5)', () => {
  const refused = (n: number) => {
    try {
      decodeNtp(Buffer.alloc(n, 0x23));
    } catch (err) {
      expect(err).toBeInstanceOf(NtpDecodeError);
      return (err as Error).message;
    }
    return 'accepted';
  };
  expect(refused(0)).toBe('0 bytes, an NTP packet has at least 48');
  expect(refused(47)).toBe('47 bytes, an NTP packet has at least 48');
  expect(refused(44)).toBe('44 bytes, an NTP packet has at least 48');
  expect(refused(49)).toBe('49 bytes is not a multiple of 4');
  expect(refused(50)).toBe('50 bytes is not a multiple of 4');
  expect(refused(48)).toBe('accepted');
  // 48-byte header, then a 4-byte key id and a 16-byte MD5 digest (the RFC 5905 MAC).
  const header = Buffer.from('230206ec00000000000000000000000000000000000000000000000000000000000000000000000083aa7e8180000000', 'hex');
  const p = decodeNtp(Buffer.concat([header, Buffer.alloc(20, 0xee)]));
  expect(p).toMatchObject({ leap: 0, version: 4, mode: 3, stratum: 2, poll: 6, precision: -20 });
  expect(p.transmitTimestamp).toBe(0x83aa7e8180000000n);
});

test('NTP short format is 16.16 fixed point seconds', () => {
  expect(secondsToShort(1.5)).toBe(0x00018000);
  expect(secondsToShort(0.02)).toBe(0x0000051f); // 1310.72, rounded
  expect(secondsToShort(0)).toBe(0);
  expect(shortToSeconds(0x00018000)).toBe(1.5);
  expect(shortToSeconds(0x00004000)).toBe(0.25);
});

test('reference ids: each IPv4 octet is 1 to 3 digits up to 255, text is 1 to 4 printable ASCII characters', () => {
  expect([...refIdFrom('10.100.200.255')]).toEqual([10, 100, 200, 255]);
  expect([...refIdFrom('XY')]).toEqual([0x58, 0x59, 0, 0]);
  expect(refIdText(refIdFrom('XY'), 1)).toBe('XY');
  expect(refIdText(refIdFrom('XY'), 0)).toBe('XY');
  expect(refIdText(refIdFrom('XY'), 2)).toBe('88.89.0.0');
  // Only trailing NUL padding is dropped.
  expect(refIdText(Buffer.from([0x41, 0, 0x42, 0]), 1)).toBe('A\0B');
  for (const bad of ['192.0.2.1x', 'x192.0.2.1', '192.0.2.1.', '256.0.0.1', '1.2.3.999', '1.2.3', '', 'tab\t']) {
    expect(() => refIdFrom(bad), bad).toThrow(`reference id "${bad}" is neither an IPv4 address nor 1-4 ASCII characters`);
  }
});
