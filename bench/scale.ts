import { benchSoap } from './soap.ts';
import { concurrentBackups } from './concurrent.ts';
import { figure, type BenchOptions, type Figure } from './figure.ts';

const VMS = 10_000;
const HOSTS = 100;
const PAGE = 1000;
const BACKUPS = 50;

/**
 * A 10,000-VM, 100-host lab, each figure against the same measure at 1,000 VMs in the same run (so
 * a ratio of 10 is linear): vCenter ready and listing throughput, paging through every VM, the
 * whole lab's start and peak memory, and 50 concurrent backups' SOAP latency.
 */
export async function benchScaleFigures(o: BenchOptions): Promise<Figure[]> {
  const requests = o.quick ? 15 : 45;
  const small = await benchSoap({ vms: VMS / 10, hosts: HOSTS / 10, requests: requests * 3, pageSize: PAGE / 10 });
  const big = await benchSoap({ vms: VMS, hosts: HOSTS, requests, pageSize: PAGE });
  // The smallest VMs in both: the figure is the control plane at scale, not the data path.
  const lab1k = await concurrentBackups({ vms: VMS / 10, hosts: HOSTS / 10, backups: BACKUPS, smallest: true });
  const lab10k = await concurrentBackups({ vms: VMS, hosts: HOSTS, backups: BACKUPS, smallest: true });
  const failures = [...lab1k.failures, ...lab10k.failures];
  return [
    figure({ name: 'scale-vcenter-ready-10000vms', value: big.readyMs, unit: 'ms', baseline: small.readyMs, baselineName: '1,000 VMs, 10 hosts', aim: '<= 10', note: 'inventory + vCenter listening, in process' }),
    figure({ name: 'scale-soap-retrieve-10000vms', value: big.soap.requestsPerSec, unit: 'req/s', baseline: big.staticHandler.requestsPerSec, baselineName: 'static HTTPS, same bytes', aim: '>= 0.8', note: `${(big.responseBytes / 1048576).toFixed(1)} MiB per response; p99 ${big.soap.p99Ms.toFixed(0)} ms (static ${big.staticHandler.p99Ms.toFixed(0)} ms)` }),
    figure({ name: 'scale-soap-paging-10000vms', value: big.paging!.ms, unit: 'ms', baseline: small.paging!.ms, baselineName: `1,000 VMs by ${PAGE / 10}`, aim: '<= 10', note: `maxObjects ${PAGE}: ${big.paging!.pages} pages, every VM once; one unpaged listing p50 ${big.soap.p50Ms.toFixed(0)} ms` }),
    figure({ name: 'scale-lab-ready-10000vms', value: lab10k.labStartMs, unit: 'ms', baseline: lab1k.labStartMs, baselineName: '1,000-VM lab', aim: '<= 10', note: 'whole lab (guests, hosts, cloud) in its own process, certificates cached' }),
    figure({ name: 'scale-lab-peak-rss-10000vms', value: lab10k.labPeakRssMiB, unit: 'MiB', baseline: lab1k.labPeakRssMiB, baselineName: '1,000-VM lab', aim: '<= 10', note: `after ${BACKUPS} backups` }),
    figure({ name: 'scale-backup-50-concurrent-10000vms', value: lab10k.succeeded, unit: 'succeeded', baseline: lab10k.backups, baselineName: 'started', aim: '>= 1', note: failures.length ? `failures: ${failures.join('; ')}` : `${lab10k.seconds.toFixed(1)} s, ${lab10k.soapCalls} SOAP calls` }),
    figure({ name: 'scale-backup-50-concurrent-soap-p99-10000vms', value: lab10k.soapP99Ms, unit: 'ms', baseline: lab1k.soapP99Ms, baselineName: '1,000-VM lab, same jobs', aim: null, note: `p50 ${lab10k.soapP50Ms.toFixed(0)} ms (1,000 VMs: ${lab1k.soapP50Ms.toFixed(0)} ms); at or above p99: ${lab10k.slowest}` }),
  ];
}
