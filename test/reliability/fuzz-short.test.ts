import { describe, test, expect } from 'vitest';
import { hangMs, runFuzz } from '../../fuzz/fuzz.ts';
import { TEST_PKI_DIR } from '../helpers/lab.ts';

/**
 * Short deadlines for this lab (lab options), so idle and slow cases end in about a second; the
 * handshake and header ones keep room for a loaded machine, since the health checks' own valid
 * requests must meet them too. Same code paths as the defaults.
 */
const TIMEOUTS = { handshakeMs: 2_000, headersMs: 1_500, requestMs: 2_500, idleMs: 500, authdCommandMs: 1_000, rdpRequestMs: 1_000, sshIdentMs: 1_000 };

// A few dozen seeded cases per listener (the full campaign is `npm run fuzz`, docs/reliability.md).
describe('fuzz (short, seeded)', () => {
  // Bounded by the work: lab start, one batch whose every case ends by the hang limit, checks after it.
  test('every listener: no crash, no hang, no unanswered request, healthy after the batch, RSS in its band', { timeout: 4 * hangMs(TIMEOUTS) + 120_000 }, async () => {
    const r = await runFuzz({ seed: 'npm-test', cases: 24, batch: 24, concurrency: 24, pkiDir: TEST_PKI_DIR, timeouts: TIMEOUTS });
    // Every kind of listener is there and got all its cases.
    const names = r.listeners.map((l) => l.listener);
    for (const want of [/^vcenter\/https$/, /^esxi-\d+\/https$/, /^esxi-\d+\/authd$/, /^ntp\/ntp$/, /^cloud\/https$/, /^cloudcache\/https$/, /\/rdp$/, /\/ssh$/, /\/guestossvc$/, /^admin$/]) {
      expect(names.some((n) => want.test(n)), `a listener matching ${want}`).toBe(true);
    }
    expect(r.listeners.length).toBeGreaterThanOrEqual(14);
    expect(r.listeners.filter((l) => l.cases !== 24).map((l) => `${l.listener}: ${l.cases} cases`)).toEqual([]);
    expect(r.crashes).toEqual([]);
    expect(r.healthFailures).toEqual([]);
    expect(r.listeners.flatMap((l) => l.hangs.map((h) => `${l.listener}: ${h}`))).toEqual([]);
    expect(r.listeners.flatMap((l) => l.unanswered.map((h) => `${l.listener}: ${h}`))).toEqual([]);
    expect(r.rss.baselineMiB).toBeGreaterThan(0);
    expect(r.rss.overBand).toEqual([]);
    // REST listeners never answer 5xx to bad input (SOAP faults are HTTP 500 by SOAP 1.1, so SOAP is not counted).
    expect(r.listeners.filter((l) => !/vcenter|esxi/.test(l.listener)).flatMap((l) => l.serverErrors.map((e) => `${l.listener}: ${e}`))).toEqual([]);
  });
});
