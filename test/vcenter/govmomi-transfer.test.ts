import { expect, test } from 'vitest';
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { sharedVcLab } from './helpers.ts';

const run = promisify(execFile);
const lab = sharedVcLab();

// govmomi (Debian's golang-github-vmware-govmomi-dev, built offline) rewrites a guest-file transfer
// URL's host through HostSystem config.virtualNicManagerInfo: the path that failed with config==nil.
test('govmomi TransferURL turns the host name into the management vmk0 address', async () => {
  const dir = fileURLToPath(new URL('./govmomi-transfer', import.meta.url));
  const bin = join(lab().lab.tempDir, 'govmomi-transfer');
  await run('go', ['build', '-o', bin, '.'], { cwd: dir, env: { ...process.env, GOPATH: '/usr/share/gocode', GO111MODULE: 'off' }, timeout: 900_000 });
  const vm = lab().lab.world.inventory.vms.find((v) => v.name === 'web01')!;
  const host = lab().lab.world.inventory.hosts.find((h) => h.moid === vm.host)!;
  const vc = lab().lab.endpoints().find((e) => e.component === 'vcenter' && e.listener === 'https')!;
  const creds = lab().lab.credentials.vcenter!;
  const cfg = join(lab().lab.tempDir, 'govmomi.json');
  await writeFile(cfg, JSON.stringify({ url: `https://${vc.bindAddress}:${vc.port}/sdk`, ca: lab().lab.caFile, user: creds.user, password: creds.password, vm: vm.name, transfer: `https://${host.name}:443/guestFile?id=1&token=t` }));
  const { stdout } = await run(bin, [cfg], { timeout: 120_000 });
  const out = JSON.parse(stdout) as { url: string; vnicIp: string; systemUuid: string };
  expect(out.url).toBe(`https://${host.address}:443/guestFile?id=1&token=t`);
  expect(out.vnicIp).toBe(host.address);
  expect(out.systemUuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-/);
}, 1_000_000);
