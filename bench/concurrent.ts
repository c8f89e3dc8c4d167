import { BackupProxy } from '../proxy/backup-proxy.ts';
import { proxyConfigFor } from '../proxy/config.ts';
import type { HttpRequest, HttpResponse } from '../proxy/net/https-client.ts';
import { startRemoteLab } from './lab-host.ts';
import { percentile } from './figure.ts';

export interface ConcurrentInput {
  vms: number;
  backups: number;
}

export interface ConcurrentResult {
  backups: number;
  succeeded: number;
  failures: string[];
  seconds: number;
  soapCalls: number;
  soapP50Ms: number;
  soapP99Ms: number;
  /** Lab start with that inventory (its own process). */
  labStartMs: number;
}

/**
 * `backups` VM backups at once from an inventory of `vms` generated VMs, through one proxy (each
 * job its own vCenter session, as the flows do). SOAP latency is measured where a real proxy
 * feels it: around each /sdk request on the proxy side, client-side queueing included.
 */
export async function concurrentBackups(input: ConcurrentInput): Promise<ConcurrentResult> {
  const t0 = performance.now();
  const lab = await startRemoteLab({ vms: input.vms });
  const labStartMs = performance.now() - t0;
  try {
    const proxy = new BackupProxy(proxyConfigFor(lab.summary));
    const soapMs: number[] = [];
    const request = proxy.http.request.bind(proxy.http);
    proxy.http.request = async (req: HttpRequest): Promise<HttpResponse> => {
      if (req.path !== '/sdk') return request(req);
      const t = performance.now();
      try {
        return await request(req);
      } finally {
        soapMs.push(performance.now() - t);
      }
    };
    try {
      await proxy.activate();
      const all = await lab.vmNames();
      const names = Array.from({ length: Math.min(input.backups, all.length) }, (_, i) => all[Math.floor((i * all.length) / input.backups)]!);
      const started = performance.now();
      const outcomes = await Promise.allSettled(names.map((vm) => proxy.backupVm({ vm, mode: 'full' })));
      const seconds = (performance.now() - started) / 1000;
      const failures = outcomes.flatMap((o, i) => (o.status === 'rejected' ? [`${names[i]}: ${(o.reason as Error).message}`] : []));
      soapMs.sort((a, b) => a - b);
      return {
        backups: names.length, succeeded: names.length - failures.length, failures: failures.slice(0, 5), seconds,
        soapCalls: soapMs.length, soapP50Ms: percentile(soapMs, 50), soapP99Ms: percentile(soapMs, 99), labStartMs,
      };
    } finally {
      proxy.close();
    }
  } finally {
    await lab.stop();
  }
}
