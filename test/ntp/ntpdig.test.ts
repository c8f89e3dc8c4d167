import { describe, test, expect, beforeAll, afterAll } from 'vitest';
import { startNtpLab } from './ntp-lab.ts';
import { hasCommand, peerSkip, run } from '../helpers/run.ts';
import { defaultPortMode } from '../../simulators/core/net/ports.ts';

const hasNtpdig = hasCommand('ntpdig');

// ntpdig has no port option: it needs the lab on the real port 123 (root or a lowered unprivileged port start).
const skipWhy = peerSkip(!hasNtpdig
  ? 'ntpdig is not installed (Debian package ntpsec-ntpdig)'
  : defaultPortMode() !== 'real'
    ? 'the lab runs in offset mode (NTP on 10123) and ntpdig only talks to port 123'
    : '');
if (skipWhy) console.warn(`skipping ntpdig tests: ${skipWhy}`);

let ctx: Awaited<ReturnType<typeof startNtpLab>>;
beforeAll(async () => {
  if (!skipWhy) ctx = await startNtpLab({ offsetMs: 3000 });
});
afterAll(async () => {
  await ctx?.lab.stop();
});

const ntpdig = (...args: string[]) => run('ntpdig', [...args, ctx.endpoint.bindAddress], { timeoutMs: 15_000 });

describe.skipIf(!!skipWhy)('real ntpdig against the lab SNTP server', () => {
  test('reads back the configured +3000 ms offset within 50 ms', async () => {
    const r = await ntpdig('-j', '-t', '2');
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout.trim()) as { offset: number; stratum: number; leap: string };
    expect(Math.abs(out.offset * 1000 - 3000)).toBeLessThan(50);
    expect(out.stratum).toBe(2);
    expect(out.leap).toBe('no-leap');
  });

  test('follows an ntp-skew fault set at run time', async () => {
    const f = ctx.lab.faults.set({ target: 'ntp', type: 'ntp-skew', params: { offsetMs: -1500 } });
    try {
      const r = await ntpdig('-j', '-t', '2');
      expect(r.code, r.stderr).toBe(0);
      expect(Math.abs(JSON.parse(r.stdout).offset * 1000 + 1500)).toBeLessThan(50);
    } finally {
      ctx.lab.faults.clear(f.id);
    }
  });

  test.for(['RATE', 'DENY'])('drops a Kiss-o\'-Death %s reply', async (code) => {
    ctx.lab.faults.set({ target: 'ntp', type: 'ntp-kod', params: { code }, remaining: 1 });
    const r = await ntpdig('-t', '2');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Response dropped: stratum 0, probable KOD packet');
    expect(r.stderr).toContain('no eligible servers');
    expect(ctx.lab.recorder.find({ kind: 'response', summary: new RegExp(`Kiss-o'-Death ${code}`) })).toHaveLength(1);
  });

  test('drops an unsynchronized (LI=3) reply', async () => {
    ctx.lab.faults.set({ target: 'ntp', type: 'ntp-unsynchronized', params: {}, remaining: 1 });
    const r = await ntpdig('-t', '2');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Response dropped: leap not in sync');
    // The fault was used up: the next query is answered normally again.
    const again = await ntpdig('-j', '-t', '2');
    expect(again.code, again.stderr).toBe(0);
  });

  test('a silent server gives ntpdig nothing to use', async () => {
    ctx.lab.faults.set({ target: 'ntp', type: 'ntp-silent', params: {}, remaining: 1 });
    const r = await ntpdig('-t', '1');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('no eligible servers');
    expect(r.stderr).not.toContain('Response dropped');
  });
});
