import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLab, type Lab, type LabOptions } from '../../simulators/lab.ts';
import { ProxyNet } from '../../proxy/net/proxy-net.ts';

/** One CA cache for the whole test run (safe across parallel files), outside the user's home. */
export const TEST_PKI_DIR = join(tmpdir(), 'bpsim-test-pki');

/**
 * What every test lab shares: the fast timing profile (no simulated task durations, so a test waits
 * only for the work it asks for), and the lab's own handshake timeout (10 s) rather than a short
 * one: a handshake that a loaded machine slows past a short limit would fail a test that does not
 * probe handshakes. Tests that do probe it wait for the server to drop the connection, however long.
 */
export const TEST_LAB_OPTIONS: LabOptions = { pkiDir: TEST_PKI_DIR, timing: 'fast' };

export function startTestLab(options: LabOptions = {}): Promise<Lab> {
  return startLab({ ...TEST_LAB_OPTIONS, ...options });
}

/** The proxy's view of a lab: endpoints, CA and its own source address, nothing more. */
export function proxyNetFor(lab: Lab): ProxyNet {
  return new ProxyNet({ endpoints: lab.endpoints(), caPem: lab.ca.cert, localAddress: lab.addressOf('proxy') });
}
