import type { Lab } from '../simulators/lab.ts';
import { BackupProxy } from '../proxy/backup-proxy.ts';
import { proxyConfigFor, type ProxyConfig } from '../proxy/config.ts';

/** Options for the proxy of a lab: any ProxyConfig field, plus a standalone ESXi host to register with instead of vCenter. */
export type ProxyOptions = Partial<ProxyConfig> & { standaloneHost?: string };

/** A simulated backup proxy for a lab, configured from the lab's public summary only (endpoints, CA, credentials). */
export function proxyFor(lab: Lab, over: ProxyOptions = {}): BackupProxy {
  return new BackupProxy(
    proxyConfigFor({ caPem: lab.ca.cert, endpoints: () => lab.endpoints(), credentials: lab.credentials, proxyAddress: lab.addressOf('proxy') }, over),
  );
}
