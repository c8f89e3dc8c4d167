import { describe, test, expect, beforeAll, afterAll, beforeEach } from 'vitest';
import type { ProxyConfig } from '../../proxy/config.ts';
import { checkClock } from '../../proxy/flows/preflight.ts';
import { SntpError } from '../../proxy/clients/ntp/sntp-client.ts';
import { startNtpLab } from '../ntp/ntp-lab.ts';

// The documented thresholds (docs/faults.md): above maxSkewMs the job fails, above warnSkewMs it warns.
const NTP = { host: 'ntp.lab.test', maxSkewMs: 5_000, warnSkewMs: 1_000, timeoutMs: 300 };

let ntp: Awaited<ReturnType<typeof startNtpLab>>;
const logs: { message: string; level: string | undefined }[] = [];
beforeAll(async () => {
  ntp = await startNtpLab();
});
afterAll(() => ntp?.lab.stop());
beforeEach(() => {
  logs.length = 0;
});

/** The error a failing check throws, to judge each field by itself. */
const failure = (p: Promise<unknown>) => p.then(() => expect.fail('the check passed'), (e: unknown) => e as Error & { errorClass: string; details: Record<string, unknown> });

function check(over: Partial<typeof NTP> | null = {}) {
  const config = { ntp: over && { ...NTP, ...over } } as ProxyConfig;
  return checkClock({ config, net: ntp.net, log: (message, level) => logs.push({ message, level }) });
}
const skew = (offsetMs: number) => ntp.lab.faults.set({ target: 'ntp', type: 'ntp-skew', params: { offsetMs }, remaining: 1 });
const requests = () => ntp.lab.recorder.find({ kind: 'request', to: 'ntp' }).length;

describe('checkClock: the proxy clock against the lab NTP server before a job', () => {
  test('no NTP server configured: no check, nothing sent', async () => {
    const before = requests();
    expect(await check(null)).toBeNull();
    expect(requests()).toBe(before);
    expect(logs).toEqual([]);
  });

  test('in sync: ok, logged at info with offset, delay, stratum and server', async () => {
    const r = (await check())!;
    expect(r).toMatchObject({ status: 'ok', stratum: 2 });
    expect(Math.abs(r.offsetMs)).toBeLessThan(50);
    expect(r.delayMs).toBeGreaterThanOrEqual(0);
    expect(logs).toEqual([{ level: 'info', message: `clock in sync: offset ${r.offsetMs.toFixed(1)} ms, delay ${r.delayMs.toFixed(1)} ms, stratum 2 (ntp.lab.test)` }]);
  });

  test.each([2_000, -2_000])('%i ms off (above warnSkewMs, below maxSkewMs): warns, the job goes on', async (offset) => {
    skew(offset);
    const r = (await check())!;
    expect(r.status).toBe('warn');
    expect(Math.abs(r.offsetMs - offset)).toBeLessThan(50);
    expect(logs).toEqual([{ level: 'warn', message: `clock skewed: offset ${r.offsetMs.toFixed(1)} ms, delay ${r.delayMs.toFixed(1)} ms, stratum 2 (ntp.lab.test)` }]);
  });

  test.each([7_000, -7_000])('%i ms off (above maxSkewMs): fails clock-skew, says how far and the limit', async (offset) => {
    skew(offset);
    const err = await failure(check());
    expect(err.errorClass).toBe('clock-skew');
    const m = /^the proxy clock is (-?\d+) ms off ntp\.lab\.test \(more than the 5000 ms allowed\): fix the time before backing up$/.exec(err.message);
    expect(m, err.message).not.toBeNull();
    expect(Math.abs(Number(m![1]) - offset)).toBeLessThan(50);
    expect(Math.abs((err.details.offsetMs as number) - offset)).toBeLessThan(50);
    expect(logs).toEqual([]);
  });

  test('Kiss-o\'-Death: fails ntp-unavailable with the kiss code and its meaning, said once', async () => {
    ntp.lab.faults.set({ target: 'ntp', type: 'ntp-kod', params: { code: 'DENY' }, remaining: 1 });
    const err = await failure(check());
    expect(err.errorClass).toBe('ntp-unavailable');
    expect(err.message).toBe("clock check against ntp.lab.test: Kiss-o'-Death DENY: access denied by the server");
    expect(err.details.kod).toBe('DENY');
  });

  test('an unsynchronized server (LI=3): fails ntp-unavailable, says why', async () => {
    ntp.lab.faults.set({ target: 'ntp', type: 'ntp-unsynchronized', params: {}, remaining: 1 });
    const err = await failure(check());
    expect(err.errorClass).toBe('ntp-unavailable');
    expect(err.message).toBe('clock check against ntp.lab.test: server clock is not synchronized (LI=3)');
    expect(err.details).toEqual({ kod: undefined, leap: 'unsync' });
  });

  test('a silent server: fails ntp-unavailable at the configured deadline, the SNTP error as cause', async () => {
    ntp.lab.faults.set({ target: 'ntp', type: 'ntp-silent', params: {}, remaining: 1 });
    const err = await failure(check());
    expect(err.errorClass).toBe('ntp-unavailable');
    expect(err.message).toBe('clock check against ntp.lab.test failed: no SNTP reply from ntp.lab.test within 300 ms');
    expect(err.details).toEqual({});
    expect(err.cause).toBeInstanceOf(SntpError);
  });

  test('a silent server without ntp.timeoutMs: the documented 3 s deadline', async () => {
    ntp.lab.faults.set({ target: 'ntp', type: 'ntp-silent', params: {}, remaining: 1 });
    const err = await failure(check({ timeoutMs: undefined }));
    expect(err.errorClass).toBe('ntp-unavailable');
    expect(err.message).toBe('clock check against ntp.lab.test failed: no SNTP reply from ntp.lab.test within 3000 ms');
  });
});
