import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLab, type Lab, type LabOptions } from '../../simulators/lab.ts';
import { ProxyNet } from '../../proxy/net/proxy-net.ts';

/** One CA cache for the whole test run (safe across parallel files), outside the user's home. */
export const TEST_PKI_DIR = join(tmpdir(), 'bpsim-test-pki');

export function startTestLab(options: LabOptions = {}): Promise<Lab> {
  return startLab({ pkiDir: TEST_PKI_DIR, tlsHandshakeTimeoutMs: 2_000, ...options });
}

/** The proxy's view of a lab: endpoints, CA and its own source address, nothing more. */
export function proxyNetFor(lab: Lab): ProxyNet {
  return new ProxyNet({ endpoints: lab.endpoints(), caPem: lab.ca.cert, localAddress: lab.addressOf('proxy') });
}
