import { BackupProxy, type JobOutcome } from '../../proxy/backup-proxy.ts';
import { proxyConfigFor } from '../../proxy/config.ts';
import type { Lab } from '../../simulators/lab.ts';
import type { DemoStep } from './plan.ts';

/** The demo's two proxies: one registered to vCenter, one to the standalone ESXi host of web01 (or `standaloneVm`). */
export interface DemoProxies {
  vcenter: BackupProxy;
  standalone: BackupProxy;
  close(): void;
}

export function demoProxies(lab: Lab, standaloneVm = 'web01'): DemoProxies {
  const summary = { caPem: lab.ca.cert, endpoints: () => lab.endpoints(), credentials: lab.credentials, proxyAddress: lab.addressOf('proxy') };
  const vcenter = new BackupProxy(proxyConfigFor(summary, { name: 'proxy-01' }));
  const standalone = new BackupProxy(proxyConfigFor(summary, { name: 'proxy-02', standaloneHost: standaloneHostOf(lab, standaloneVm) }));
  return {
    vcenter,
    standalone,
    close() {
      vcenter.close();
      standalone.close();
    },
  };
}

/** The ESXi host a VM runs on, as the lab's public data says (what an admin would configure). */
function standaloneHostOf(lab: Lab, vm: string): string {
  const spec = lab.world.inventory.vms.find((v) => v.name === vm);
  const host = lab.world.inventory.hosts.find((h) => h.moid === spec?.host) ?? lab.world.inventory.hosts[0]!;
  return host.name;
}

export type StepOutcome = { kind: 'world'; text: string } | { kind: 'job'; outcome: JobOutcome; seconds: number };

/**
 * Runs one plan step as an operator would: a world change in the lab, or a job queued in the cloud
 * for one proxy and claimed by it over the wire.
 */
export async function runDemoStep(lab: Lab, proxies: DemoProxies, step: DemoStep): Promise<StepOutcome> {
  if (step.kind === 'world') return { kind: 'world', text: step.run(lab) };
  const proxy = step.proxy === 'standalone' ? proxies.standalone : proxies.vcenter;
  await proxy.activate();
  lab.world.cloud!.queueJob({ type: step.type, params: step.params, targetProxy: proxy.config.name });
  const t0 = performance.now();
  const outcome = await proxy.runNextJob();
  if (!outcome) throw new Error(`the cloud handed ${proxy.config.name} no job for "${step.title}"`);
  return { kind: 'job', outcome, seconds: (performance.now() - t0) / 1000 };
}
