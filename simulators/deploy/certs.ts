import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { CertificateAuthority, type IssuedCert } from '../core/pki/ca.ts';
import { thumbprints } from '../core/pki/x509.ts';
import { mergeCredentials } from '../credentials.ts';
import { addressOf, type DeployPlan } from './plan.ts';
import { proxyEndpoints } from './endpoints.ts';

export const PLAN_FILE = 'topology.json';
/** The proxy's view of the deployment (`bpsim up --json` shape): CA, credentials, endpoints by hostname on real ports. */
export const LAB_FILE = 'lab.json';

/**
 * What the one-shot `bpsim certs` writes into the shared volume: the lab CA (created once, kept),
 * each component's certificate and key for its hostname and plan address, the plan every
 * `bpsim serve` reads, and the endpoint list the proxy uses. Returns the files written.
 */
export async function writeDeployment(dir: string, plan: DeployPlan): Promise<string[]> {
  const out = resolve(dir);
  await mkdir(out, { recursive: true });
  const ca = await CertificateAuthority.cached(out);
  const written = [ca.certFile ?? join(out, 'ca.crt')];
  const certs = new Map<string, IssuedCert>();
  for (const u of plan.units) {
    const issued = ca.issue({ commonName: u.hostname, dnsNames: [u.hostname], ipAddresses: [addressOf(plan, u.component)] });
    certs.set(u.component, issued);
    await writeFile(join(out, `${u.component}.crt`), issued.cert);
    await writeFile(join(out, `${u.component}.key`), issued.key, { mode: 0o600 });
    written.push(join(out, `${u.component}.crt`), join(out, `${u.component}.key`));
  }
  await writeFile(join(out, PLAN_FILE), JSON.stringify(plan, null, 2) + '\n');
  const summary = {
    caFile: join(out, 'ca.crt'),
    caPem: ca.cert,
    network: `${plan.network}.0/24`,
    proxyAddress: addressOf(plan, 'proxy'),
    credentials: mergeCredentials(),
    endpoints: proxyEndpoints(plan, (c) => certs.get(c)),
  };
  await writeFile(join(out, LAB_FILE), JSON.stringify(summary, null, 2) + '\n');
  written.push(join(out, PLAN_FILE), join(out, LAB_FILE));
  return written;
}

export async function readPlan(dir: string): Promise<DeployPlan> {
  const file = join(dir, PLAN_FILE);
  try {
    return JSON.parse(await readFile(file, 'utf8')) as DeployPlan;
  } catch (err) {
    throw new Error(`cannot read the deployment plan ${file} (run \`bpsim certs --out ${dir}\` first): ${(err as Error).message}`);
  }
}

/** A component's certificate and key from the volume, as the lab uses them. */
export async function readIssued(dir: string, component: string): Promise<IssuedCert> {
  const [cert, key] = await Promise.all([readFile(join(dir, `${component}.crt`), 'utf8'), readFile(join(dir, `${component}.key`), 'utf8')]);
  return { cert, key, ...thumbprints(cert) };
}
