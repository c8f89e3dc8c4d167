import type { Lab } from '../../simulators/lab.ts';
import { BackupProxy } from '../../proxy/backup-proxy.ts';
import { proxyConfigFor, type ProxyConfig } from '../../proxy/config.ts';

/** A simulated proxy for a lab, configured from the lab's public summary only (endpoints, CA, credentials). */
export function proxyFor(lab: Lab, over: Partial<ProxyConfig> & { standaloneHost?: string } = {}): BackupProxy {
  return new BackupProxy(
    proxyConfigFor({ caPem: lab.ca.cert, endpoints: lab.endpoints(), credentials: lab.credentials, proxyAddress: lab.addressOf('proxy') }, over),
  );
}
