import { randomInt } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { run } from '../helpers/run.ts';

/** What guest_url.py needs of a `bpsim up --json` summary. */
export interface GuestUrlLab {
  caFile: string;
  credentials: Record<string, { user: string; password: string }>;
  endpoints: { component: string; url?: string }[];
}

/**
 * pyVmomi logs in at vCenter's endpoint `url`, starts a guest-file transfer from web01 and follows
 * the URL exactly as vCenter handed it out: the judge of whether bpsim's URLs work as-is.
 */
export async function followGuestUrl(lab: GuestUrlLab): Promise<{ vcenterUrl: string; url: string; status: number }> {
  const vcenter = lab.endpoints.find((e) => e.component === 'vcenter' && e.url)!;
  const guest = lab.credentials['guest-linux']!;
  const vc = lab.credentials.vcenter!;
  const cfgFile = join(tmpdir(), `bpsim-guest-url-${process.pid}-${randomInt(1e9)}.json`);
  try {
    writeFileSync(cfgFile, JSON.stringify({ url: vcenter.url, ca: lab.caFile, user: vc.user, password: vc.password, vm: 'web01', guestUser: guest.user, guestPassword: guest.password }));
    const py = await run('/usr/bin/python3', [new URL('./guest_url.py', import.meta.url).pathname, cfgFile], { timeoutMs: 60_000 });
    expect(py.code, py.stderr).toBe(0);
    return { vcenterUrl: vcenter.url!, ...(JSON.parse(py.stdout) as { url: string; status: number }) };
  } finally {
    rmSync(cfgFile, { force: true });
  }
}
