// Offset ports (`bpsim up --ports offset`: 443 -> 10443): the guest-file transfer URL vCenter hands
// out must name the port the host agent really listens on, or an outside client following it
// reaches nothing. pyVmomi is the judge: it follows the URL exactly as returned.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startBpsimUp, type RunningUp } from '../helpers/bpsim-up.ts';
import { hasCommand } from '../helpers/run.ts';
import { followGuestUrl, type GuestUrlLab } from './guest-url.ts';

type Summary = Omit<GuestUrlLab, 'endpoints'> & { endpoints: { component: string; listener: string; port: number; realPort: number; url?: string }[] };

let lab: RunningUp;
beforeAll(async () => {
  // --host-names ip: the URLs name addresses, so no resolver is involved and only the port is judged.
  lab = await startBpsimUp({ args: ['--ports', 'offset', '--host-names', 'ip'] });
});
afterAll(async () => {
  await lab?.stop();
});

describe('bpsim up --ports offset', () => {
  test.skipIf(!hasCommand('/usr/bin/python3'))('pyVmomi follows the guest-file transfer URL to the host agent\'s offset port', async () => {
    const summary = lab.summary as unknown as Summary;
    const esxiPorts = summary.endpoints.filter((e) => e.component.startsWith('esxi-') && e.listener === 'https').map((e) => e.port);
    expect(esxiPorts.length).toBeGreaterThan(0);
    expect(new Set(esxiPorts)).toEqual(new Set([10443]));
    const out = await followGuestUrl(summary);
    expect(new URL(out.url).port).toBe('10443');
    expect(new URL(out.url).hostname).toMatch(/^127\./);
    expect(out.status).toBe(200);
  });
});
