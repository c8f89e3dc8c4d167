import { CoreLab } from '../../simulators/core/lab.ts';
import type { ComponentSpec } from '../../simulators/core/component.ts';
import { startRdpProbe } from '../../simulators/guest/probes/rdp.ts';
import { startSshProbe } from '../../simulators/guest/probes/ssh.ts';
import { ProxyNet } from '../../proxy/net/proxy-net.ts';
import { TEST_PKI_DIR } from '../helpers/lab.ts';

/** Stands in for a restored guest until the guest room's component exists: only the probe ports. */
export function probeGuest(name: string, ports: { rdp?: boolean; ssh?: boolean | string }): ComponentSpec {
  return {
    name,
    kind: 'guest',
    hostname: `${name}.lab.test`,
    async start(ctx) {
      if (ports.rdp) await startRdpProbe(ctx, { requestTimeoutMs: 10_000 });
      if (ports.ssh) await startSshProbe(ctx, typeof ports.ssh === 'string' ? ports.ssh : undefined);
    },
  };
}

export async function startProbeLab(specs: ComponentSpec[]) {
  const lab = await CoreLab.create({}, { pkiDir: TEST_PKI_DIR });
  await lab.start(specs);
  const net = new ProxyNet({ endpoints: lab.endpoints(), caPem: lab.ca.cert, localAddress: lab.addressOf('proxy') });
  return { lab, net };
}
