import { describe, test, expect, beforeAll, afterAll } from 'vitest';
import { startNfcLab, nfcStream, aioReady, type NfcLab } from '../nfc/harness.ts';
import { idleUntilClosed } from '../helpers/idle-close.ts';

// NFC's deadlines on 902 (lab options), short here; each test checks the server closed the idle
// session, not before the configured time, for the reason it traced. No upper bound is timed: the
// wait gives up only after 60 s.
const TIMEOUTS = { nfcMessageMs: 400, nfcIdleMs: 600 };
const GIVE_UP_MS = 60_000;
/** libuv's timer clock counts whole milliseconds. */
const CLOCK_MS = 2;

let t: NfcLab;
beforeAll(async () => {
  t = await startNfcLab({ timeouts: TIMEOUTS });
});
afterAll(async () => {
  await t?.lab.stop();
});

const nfcErrors = () => t.lab.recorder.events.filter((e) => e.kind === 'error' && e.summary.startsWith('NFC: ')).map((e) => e.summary);

/** Opens a session with `open`, stays silent, and expects the server to close it for `timeoutMs`, not before. */
async function expectIdleClose(open: typeof nfcStream, timeoutMs: number): Promise<void> {
  const before = nfcErrors().length;
  // Counted from before the session opens: the server's clock starts later, so this never undercounts.
  const since = performance.now();
  const { s, r } = await open(t);
  r.detach();
  const r2 = await idleUntilClosed(s, since, GIVE_UP_MS);
  expect(r2.closed, 'still open').toBe(true);
  expect(r2.idleMs).toBeGreaterThanOrEqual(timeoutMs - CLOCK_MS);
  expect(nfcErrors().slice(before)).toEqual([`NFC: no data for ${timeoutMs} ms`]);
}

describe('NFC on 902 closes idle sessions after the lab-configured times', () => {
  test('nfc-message: no classic handshake message after PROXY', () => expectIdleClose(nfcStream, TIMEOUTS.nfcMessageMs));

  test('nfc-idle: no message in the asynchronous I/O phase', () => expectIdleClose(aioReady, TIMEOUTS.nfcIdleMs));
});
