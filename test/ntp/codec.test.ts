import { test, expect } from 'vitest';
import { decodeNtp, encodeNtp, kissCode, ntpToUnixMs, refIdFrom, refIdText, unixMsToNtp } from '../../simulators/core/codecs/ntp.ts';

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
