import { test, expect } from 'vitest';
import { validateNtpOptions } from '../../simulators/ntp/options.ts';

test('lab options: a reference id that is neither an IPv4 address nor 1-4 ASCII characters fails the start', () => {
  expect(() => validateNtpOptions({ refId: '300.0.0.1' })).toThrow('reference id "300.0.0.1" is neither an IPv4 address nor 1-4 ASCII characters');
  expect(() => validateNtpOptions({ refId: 'GPS' })).not.toThrow();
  expect(() => validateNtpOptions({ refId: '192.0.2.7' })).not.toThrow();
  expect(() => validateNtpOptions({ stratum: 16 })).toThrow('ntp.stratum must be an integer 1..15, got 16');
});
