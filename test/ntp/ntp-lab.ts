import { CoreLab } from '../../simulators/core/lab.ts';
import { ntpComponent } from '../../simulators/ntp/component.ts';
import type { NtpServerOptions } from '../../simulators/ntp/options.ts';
import { ProxyNet } from '../../proxy/net/proxy-net.ts';
import { TEST_PKI_DIR } from '../helpers/lab.ts';

/** A lab holding only the SNTP server, and the proxy's view of it. */
export async function startNtpLab(options: NtpServerOptions = {}) {
  const lab = await CoreLab.create({}, { pkiDir: TEST_PKI_DIR });
  await lab.start([ntpComponent(options)]);
  const net = new ProxyNet({ endpoints: lab.endpoints(), caPem: lab.ca.cert, localAddress: lab.addressOf('proxy') });
  return { lab, net, endpoint: lab.endpoint('ntp', 'ntp') };
}
