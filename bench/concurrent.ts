import { BackupProxy } from '../proxy/backup-proxy.ts';
import { proxyConfigFor } from '../proxy/config.ts';
import type { HttpRequest, HttpResponse } from '../proxy/net/https-client.ts';
import { startRemoteLab } from './lab-host.ts';
import { percentile } from './figure.ts';

export interface ConcurrentInput {
  vms: number;
  /** ESXi hosts of the inventory (the lab's default when unset). */
  hosts?: number;
  backups: number;
  /** Pick the VMs with the least data (quick runs) instead of spreading over the inventory. */
  smallest?: boolean;
}

export interface ConcurrentResult {
  backups: number;
  succeeded: number;
  failures: string[];
  seconds: number;
  soapCalls: number;
  soapP50Ms: number;
  soapP99Ms: number;
  /** Methods of the calls at or above p99. */
  slowest: string;
  /** Lab start with that inventory (its own process). */
  labStartMs: number;
  /** Allocated bytes of the chosen VMs. */
  bytes: number;
  /** Peak resident memory of the lab process, backups included (MiB). */
  labPeakRssMiB: number;
}

/**
 * `backups` VM backups at once from an inventory of `vms` generated VMs, through one proxy (each
 * job its own vCenter session, as the flows do). SOAP latency is measured where a real proxy
 * feels it: around each /sdk request on the proxy side, client-side queueing included, long polls
 * (WaitForUpdatesEx, which wait for a task) left out.
 */
export async function concurrentBackups(input: ConcurrentInput): Promise<ConcurrentResult> {
  const t0 = performance.now();
  const lab = await startRemoteLab({ vms: input.vms, hosts: input.hosts });
  const labStartMs = performance.now() - t0;
  let bytes = 0;
  try {
    const proxy = new BackupProxy(proxyConfigFor(lab.summary));
    const soap: { method: string; ms: number }[] = [];
    const request = proxy.http.request.bind(proxy.http);
    proxy.http.request = async (req: HttpRequest): Promise<HttpResponse> => {
      // WaitForUpdatesEx is a long poll that returns when a task changes: its time is the task's, not the server's.
      const method = req.path === '/sdk' ? /<(\w+) xmlns="urn:vim25"/.exec(String(req.body ?? ''))?.[1] : undefined;
      if (!method || method === 'WaitForUpdatesEx') return request(req);
      const t = performance.now();
      try {
        return await request(req);
      } finally {
        soap.push({ method, ms: performance.now() - t });
      }
    };
    try {
      await proxy.activate();
      const all = await lab.vms();
      if (input.smallest) all.sort((a, b) => a.allocatedBytes - b.allocatedBytes);
      const chosen = input.smallest ? all.slice(0, input.backups) : Array.from({ length: Math.min(input.backups, all.length) }, (_, i) => all[Math.floor((i * all.length) / input.backups)]!);
      // Jobs name VMs by instance UUID, as backup products store them (FindByUuid, not a listing).
      const names = chosen.map((v) => v.instanceUuid);
      bytes = chosen.reduce((n, v) => n + v.allocatedBytes, 0);
      const started = performance.now();
      const outcomes = await Promise.allSettled(names.map((vm) => proxy.backupVm({ vm, mode: 'full' })));
      const seconds = (performance.now() - started) / 1000;
      const failures = outcomes.flatMap((o, i) => (o.status === 'rejected' ? [`${names[i]}: ${(o.reason as Error).message}`] : []));
      const soapMs = soap.map((x) => x.ms).sort((a, b) => a - b);
      const p99 = percentile(soapMs, 99);
      const slow = new Map<string, number>();
      for (const x of soap) if (x.ms >= p99) slow.set(x.method, (slow.get(x.method) ?? 0) + 1);
      const labPeakRssMiB = await lab.peakRssMiB();
      return {
        labPeakRssMiB,
        backups: names.length, succeeded: names.length - failures.length, failures: failures.slice(0, 5), seconds,
        soapCalls: soapMs.length, soapP50Ms: percentile(soapMs, 50), soapP99Ms: p99, slowest: [...slow].sort((a, b) => b[1] - a[1]).map(([m, n]) => `${m} x${n}`).join(', '), labStartMs, bytes,
      };
    } finally {
      proxy.close();
    }
  } finally {
    await lab.stop();
  }
}
