// Offset ports (`bpsim up --ports offset`: 443 -> 10443): the guest-file transfer URL vCenter hands
// out must name the port the host agent really listens on, or an outside client following it
// reaches nothing. pyVmomi is the judge: it follows the URL exactly as returned.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { randomInt } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBpsimUp, type RunningUp } from '../helpers/bpsim-up.ts';
import { hasCommand, run } from '../helpers/run.ts';

type Summary = { credentials: Record<string, { user: string; password: string }>; endpoints: { component: string; listener: string; port: number; realPort: number; url?: string }[] };

let lab: RunningUp;
const cfgFile = join(tmpdir(), `bpsim-offset-${process.pid}-${randomInt(1e9)}.json`);
beforeAll(async () => {
  // --host-names ip: the URLs name addresses, so no resolver is involved and only the port is judged.
  lab = await startBpsimUp({ args: ['--ports', 'offset', '--host-names', 'ip'] });
});
afterAll(async () => {
  await lab?.stop();
  rmSync(cfgFile, { force: true });
});

describe('bpsim up --ports offset', () => {
  test.skipIf(!hasCommand('/usr/bin/python3'))('pyVmomi follows the guest-file transfer URL to the host agent\'s offset port', async () => {
    const summary = lab.summary as unknown as Summary & { caFile: string };
    const vcenter = summary.endpoints.find((e) => e.component === 'vcenter' && e.url)!;
    const esxiPorts = summary.endpoints.filter((e) => e.component.startsWith('esxi-') && e.listener === 'https').map((e) => e.port);
    expect(esxiPorts.length).toBeGreaterThan(0);
    expect(new Set(esxiPorts)).toEqual(new Set([10443]));
    const guest = summary.credentials['guest-linux']!;
    const vc = summary.credentials.vcenter!;
    writeFileSync(cfgFile, JSON.stringify({ url: vcenter.url, ca: summary.caFile, user: vc.user, password: vc.password, vm: 'web01', guestUser: guest.user, guestPassword: guest.password }));
    const py = await run('/usr/bin/python3', [new URL('./guest_url.py', import.meta.url).pathname, cfgFile], { timeoutMs: 60_000 });
    expect(py.code, py.stderr).toBe(0);
    const out = JSON.parse(py.stdout) as { url: string; status: number };
    expect(new URL(out.url).port).toBe('10443');
    expect(new URL(out.url).hostname).toMatch(/^127\./);
    expect(out.status).toBe(200);
  });
});
