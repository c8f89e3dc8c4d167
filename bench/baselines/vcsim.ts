import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { CertificateAuthority } from '../../simulators/core/pki/ca.ts';
import type { Endpoint } from '../../simulators/core/types.ts';
import { buildGoProgram, goAvailable } from '../../test/clients/go-build.ts';

export interface Vcsim {
  /** An endpoint for ProxyNet: the bench's clients reach vcsim exactly as they reach bpsim. */
  endpoint: Endpoint;
  /** vcsim's own time from model creation to a listening server, in ms. */
  readyMs: number;
  stop(): Promise<void>;
}

export const VCSIM_HOST = 'vcsim.lab.test';

/**
 * govmomi's vcsim with `vms` VMs on `hosts` hosts, serving a lab CA certificate, built offline from
 * Debian's golang-github-vmware-govmomi-dev; undefined (with the reason) when Go or govmomi is missing.
 */
export async function startVcsim(ca: CertificateAuthority, vms: number, hosts: number): Promise<Vcsim | string> {
  const missing = goAvailable();
  if (missing) return missing;
  const bin = await buildGoProgram(fileURLToPath(new URL('./vcsim', import.meta.url)), 'vcsim-baseline');
  const dir = await mkdtemp(join(tmpdir(), 'bpsim-vcsim-'));
  const leaf = ca.issue({ commonName: VCSIM_HOST, dnsNames: [VCSIM_HOST], ipAddresses: ['127.0.0.1'] });
  await writeFile(join(dir, 'cert.pem'), leaf.cert);
  await writeFile(join(dir, 'key.pem'), leaf.key, { mode: 0o600 });
  const child: ChildProcess = spawn(bin.path, [String(vms), String(hosts), join(dir, 'cert.pem'), join(dir, 'key.pem')], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const first = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`vcsim exited ${code}: ${stderr}`)));
  });
  const { url, readyMs } = JSON.parse(first) as { url: string; readyMs: number };
  const port = Number(new URL(url).port);
  const endpoint: Endpoint = {
    component: 'vcsim', kind: 'baseline', hostname: VCSIM_HOST, address: '127.0.0.1', bindAddress: '127.0.0.1',
    port, realPort: 443, transport: 'tcp', protocol: 'https', listener: 'https',
  };
  return {
    endpoint,
    readyMs,
    async stop() {
      const exited = new Promise((r) => child.once('exit', r));
      child.stdin!.end();
      await exited;
      await rm(dir, { recursive: true, force: true });
    },
  };
}
