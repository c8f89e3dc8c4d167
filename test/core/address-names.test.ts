import { expect, test } from 'vitest';
import { AddressAllocator } from '../../simulators/core/net/addressing.ts';

test('addresses are handed out in order, 250 per /24, and each maps back to the name it was given', () => {
  const a = new AddressAllocator([30, 4]);
  const names = Array.from({ length: 260 }, (_, i) => `vm${i}`);
  const got = names.map((n) => a.allocate(n));
  expect(got[0]).toBe('127.30.4.1');
  expect(got[249]).toBe('127.30.4.250');
  expect(got[250]).toBe('127.30.5.1');
  expect(a.allocate('vm7')).toBe('127.30.4.8');
  for (const [i, n] of names.entries()) expect(a.nameOf(got[i]!)).toBe(n);
  expect(a.nameOf('127.30.5.11')).toBeUndefined();
});

test('a plan that moves a name or gives two names one address: nameOf answers the first name still there', () => {
  const a = new AddressAllocator([30, 4]);
  a.assign('vcenter', '10.0.0.5');
  a.assign('vcenter-alias', '10.0.0.5');
  expect(a.nameOf('10.0.0.5')).toBe('vcenter');
  a.assign('vcenter', '10.0.0.6');
  expect(a.nameOf('10.0.0.6')).toBe('vcenter');
  expect(a.nameOf('10.0.0.5')).toBe('vcenter-alias');
  a.assign('vcenter-alias', '10.0.0.7');
  expect(a.nameOf('10.0.0.5')).toBeUndefined();
});
