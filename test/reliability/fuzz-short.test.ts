import { describe, test, expect } from 'vitest';
import { runFuzz } from '../../fuzz/fuzz.ts';
import { TEST_PKI_DIR } from '../helpers/lab.ts';

// A few dozen seeded cases per listener (the full campaign is `npm run fuzz`, docs/reliability.md).
describe('fuzz (short, seeded)', () => {
  test('every listener: no crash, no hang, no unanswered request, healthy after the batch, RSS in its band', { timeout: 300_000 }, async () => {
    const r = await runFuzz({
      seed: 'npm-test',
      cases: 24,
      batch: 24,
      concurrency: 24,
      pkiDir: TEST_PKI_DIR,
      timeouts: { handshakeMs: 5_000, headersMs: 3_000, requestMs: 6_000, idleMs: 3_000 },
    });
    expect(r.listeners.length).toBeGreaterThanOrEqual(14);
    expect(r.crashes).toEqual([]);
    expect(r.healthFailures).toEqual([]);
    expect(r.listeners.flatMap((l) => l.hangs.map((h) => `${l.listener}: ${h}`))).toEqual([]);
    expect(r.listeners.flatMap((l) => l.unanswered.map((h) => `${l.listener}: ${h}`))).toEqual([]);
    expect(r.rss.overBand).toEqual([]);
    // REST listeners never answer 5xx to bad input (SOAP faults are HTTP 500 by SOAP 1.1, so SOAP is not counted).
    expect(r.listeners.filter((l) => !/vcenter|esxi/.test(l.listener)).flatMap((l) => l.serverErrors.map((e) => `${l.listener}: ${e}`))).toEqual([]);
  });
});
