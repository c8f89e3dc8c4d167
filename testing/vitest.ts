import { test as base } from 'vitest';
import { startLab, type Lab, type LabOptions } from '../simulators/lab.ts';
import type { BackupProxy } from '../proxy/backup-proxy.ts';
import { proxyFor, type ProxyOptions } from './proxy.ts';

/** Test suites get the fast timing profile (no simulated task durations) unless they ask for another. */
const FIXTURE_LAB: LabOptions = { timing: 'fast' };

export interface LabFixtures {
  /** Options of the lab each test gets; change them with testWith({ labOptions: {...} }). */
  labOptions: LabOptions;
  /** Options of the proxy (timeouts, standaloneHost...); testWith({ proxyOptions: {...} }). */
  proxyOptions: ProxyOptions;
  /** A running lab, started for the test and stopped after it (ports freed, faults gone). */
  lab: Lab;
  /** A simulated backup proxy configured for `lab`. */
  proxy: BackupProxy;
}

/**
 * vitest's `test` with a lab and a proxy per test:
 *
 *   import { test, expect } from 'bpsim/vitest';
 *   test('a backup', async ({ lab, proxy }) => { ... });
 *
 * Each test gets its own lab on its own loopback block, so test files run in parallel.
 */
export const test = labTest(FIXTURE_LAB, {});

/** vitest's test with the four fixtures, these options being the defaults. */
function labTest(labOptions: LabOptions, proxyOptions: ProxyOptions) {
  return base.extend<LabFixtures>({
    labOptions: [labOptions, { injected: false }],
    proxyOptions: [proxyOptions, { injected: false }],
    lab: async ({ labOptions }, use) => {
      const lab = await startLab(labOptions);
      try {
        await use(lab);
      } finally {
        await lab.stop();
      }
    },
    proxy: async ({ lab, proxyOptions }, use) => {
      const proxy = proxyFor(lab, proxyOptions);
      try {
        await use(proxy);
      } finally {
        proxy.close();
      }
    },
  });
}

/**
 * A `test` whose labs and proxies use these options:
 *
 *   const noCache = testWith({ labOptions: { without: ['cloudcache'] } });
 *   noCache('a backup without the cache', async ({ lab, proxy }) => { ... });
 *
 * Built on test.extend only, so it works on vitest 3.2 and 4 alike (test.override is vitest 4 only).
 */
export function testWith(options: { labOptions?: LabOptions; proxyOptions?: ProxyOptions }): typeof test {
  // A fresh extend of vitest's test, not an extend of `test`: vitest 3.2 resolves a fixture's
  // dependencies to the first definition of a name, so overriding labOptions there would not reach lab.
  return labTest({ ...FIXTURE_LAB, ...options.labOptions }, options.proxyOptions ?? {});
}

export { expect, describe, beforeAll, afterAll } from 'vitest';
