import { describe, test, expect } from 'vitest';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { TraceEvent } from '../../simulators/core/types.ts';
import { runDemo } from '../../bin/demo/run-demo.ts';
import { demoPlan } from '../../bin/demo/plan.ts';
import { TEST_LAB_OPTIONS } from '../helpers/lab.ts';

/** ARCHITECTURE.md's chain table: who opens a connection to whom, on which port, over TLS or not. */
const CHAIN: { row: string; from: RegExp; to: RegExp; port: number; tls: boolean }[] = [
  { row: '1 proxy -> backup cloud', from: /^proxy$/, to: /^cloud$/, port: 443, tls: true },
  { row: '2 proxy -> CloudCache', from: /^proxy$/, to: /^cloudcache$/, port: 443, tls: true },
  { row: '3 CloudCache -> backup cloud', from: /^cloudcache$/, to: /^cloud$/, port: 443, tls: true },
  { row: '4 proxy -> vCenter', from: /^proxy$/, to: /^vcenter$/, port: 443, tls: true },
  { row: '5/7 proxy -> ESXi 443 (standalone SOAP, /guestFile)', from: /^proxy$/, to: /^esxi-\d+$/, port: 443, tls: true },
  { row: '6 proxy -> ESXi 902', from: /^proxy$/, to: /^esxi-\d+$/, port: 902, tls: true },
  { row: '8 proxy -> guestossvc', from: /^proxy$/, to: /^guest-/, port: 3542, tls: true },
  { row: '9 guestossvc -> plugin', from: /^guest-/, to: /^guest-/, port: 3545, tls: true },
  { row: '10 proxy -> guest RDP', from: /^proxy$/, to: /^guest-/, port: 3389, tls: false },
  { row: '10 proxy -> guest SSH', from: /^proxy$/, to: /^guest-/, port: 22, tls: false },
  { row: '11 proxy -> NTP', from: /^proxy$/, to: /^ntp$/, port: 123, tls: false },
];

/**
 * The demo's own plan, on two small VMs added to the lab instead of sql01 (72 MiB) and web01
 * (32 MiB) for the VM backups and DR restores: every step and every hop stays, the bytes moved
 * shrink, so the test's time follows the chain rather than the data (the SQL jobs still use sql01).
 */
const SMALL = { windows: 'winsmall', linux: 'linsmall' };
const SMALL_VMS = [
  { name: SMALL.windows, guest: 'windows' as const, disks: [{ capacityGiB: 1, allocatedMiB: 8 }] },
  { name: SMALL.linux, guest: 'linux' as const, disks: [{ capacityGiB: 1, allocatedMiB: 4 }] },
];

const PLAN = demoPlan(SMALL);
/**
 * The test's bound comes from its work: each job of the plan gets what the suite gives a whole test
 * (vitest.config.ts), so a loaded machine slows the test without failing it.
 */
const TIMEOUT_MS = PLAN.filter((s) => s.kind === 'job').length * 60_000;

describe('the demo', () => {
  test('runs the whole chain, every job succeeds, and its trace holds every hop of the chain table', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bpsim-demo-'));
    const out = new PassThrough();
    let printed = '';
    out.on('data', (d) => (printed += d));
    try {
      const result = await runDemo({ lab: { ...TEST_LAB_OPTIONS, extraVms: SMALL_VMS }, plan: PLAN, tracePath: join(dir, 'trace.jsonl'), mermaidPath: join(dir, 'trace.md'), bars: false, out });
      expect(result.jobs.map((j) => [j.outcome.job.type, j.outcome.status])).toEqual([
        ['vm-backup', 'succeeded'],
        ['vm-backup', 'succeeded'],
        ['vm-backup', 'succeeded'],
        ['sql-backup', 'succeeded'],
        ['sql-backup', 'succeeded'],
        ['sql-restore', 'succeeded'],
        ['dr-restore', 'succeeded'],
        ['dr-restore', 'succeeded'],
      ]);
      const events: TraceEvent[] = (await readFile(result.tracePath, 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
      expect(events.length).toBe(result.events);
      for (const hop of CHAIN) {
        const onHop = events.filter((e) => hop.from.test(e.from) && hop.to.test(e.to) && e.port === hop.port);
        // A TCP hop opens a connection (UDP NTP has none); TLS hops also carry requests.
        expect(onHop.filter((e) => e.kind === (hop.port === 123 ? 'request' : 'connect')).length, `row ${hop.row}: the hop`).toBeGreaterThan(0);
        if (hop.tls) expect(onHop.filter((e) => e.kind === 'request').length, `row ${hop.row}: a request`).toBeGreaterThan(0);
        if (hop.tls) {
          const tls = onHop.filter((e) => e.kind === 'tls');
          expect(tls.length, `row ${hop.row}: a TLS handshake`).toBeGreaterThan(0);
          for (const t of tls) expect(t.tls?.version, `row ${hop.row}`).toMatch(/^TLSv1\.[23]$/);
        }
      }
      // Standalone registration (row 5) is SOAP on the host itself.
      expect(events.some((e) => e.from === 'proxy' && /^esxi-/.test(e.to) && e.port === 443 && e.kind === 'request' && /^Login /.test(e.summary))).toBe(true);
      const mermaid = await readFile(result.mermaidPath, 'utf8');
      expect(mermaid).toMatch(/```mermaid\nsequenceDiagram\n/);
      expect(printed).toContain('All jobs succeeded');
      // Lines the timeline prints only when they are true: where the blocks went, and how much the incremental read.
      const full = result.jobs[0]!.outcome.result as { target: string; bytesRead: number };
      const inc = result.jobs[1]!.outcome.result as { kind: string; target: string; bytesRead: number };
      expect(full.target).toBe('cloudcache');
      expect(printed).toMatch(new RegExp(`${SMALL.windows}: full backup, \\d+ disk\\(s\\), [\\d.]+ MiB to read, blocks to cloudcache`));
      expect(inc.kind).toBe('incremental');
      const incLine = new RegExp(`${SMALL.windows}: incremental backup, \\d+ disk\\(s\\), ([\\d.]+) MiB to read, blocks to (\\w+)`).exec(printed);
      expect(incLine?.[2]).toBe(inc.target);
      // The guest wrote 5% of the disks; the incremental reads about that, far less than the full.
      const written = Number(/\[lab\] ([\d.]+) MiB written in the guest/.exec(printed)?.[1]);
      expect(Number(incLine?.[1])).toBeGreaterThanOrEqual(written - 0.1);
      expect(inc.bytesRead).toBeLessThan(full.bytesRead);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, TIMEOUT_MS);
});
