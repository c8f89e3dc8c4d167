import { availableParallelism } from 'node:os';
import { backupRunInChild, type BackupRunInput, type BackupRunResult } from './backup.ts';
import { concurrentBackups } from './concurrent.ts';
import { figure, sizeName, type BenchOptions, type Figure } from './figure.ts';

const MiB = 2 ** 20;
const cpus = availableParallelism();
const mib = (bytes: number) => bytes / MiB;
const RSS_BUDGET_MIB = 256;

/**
 * The backup data path through the real proxy flow (902 -> proxy -> CloudCache, SHA-256, dedup):
 * full and 5% incremental against a raw TLS pipe, and the proxy's peak memory per disk size, each
 * run in a fresh process, with the lab in a process of its own: that uses the second core (it pays,
 * docs/performance.md) and makes the memory figures the proxy's alone.
 */
export async function benchBackupFigures(o: BenchOptions): Promise<Figure[]> {
  const main: BackupRunInput = o.quick
    ? { capacityGiB: 1, labProcess: 'separate', store: 'memory', incrementalPercent: 5, baseline: true }
    : { capacityGiB: 4, labProcess: 'separate', store: 'memory', incrementalPercent: 5, baseline: true };
  const r = await backupRunInChild(main);
  const size = sizeName(r.bytes);
  const figures: Figure[] = [
    figure({ name: `backup-full-${size}`, value: r.fullMBps, unit: 'MiB/s', baseline: r.pipeMBps ?? null, baselineName: 'raw node:tls pipe', aim: '>= 0.6', note: `${r.blocksUploaded}/${r.blocks} blocks to ${r.target}; lab in its own process` }),
    // The floors are CPU work per byte with no overhead; over them, what the data path itself costs.
    figure({ name: `backup-full-${size}-over-one-core-floor`, value: r.fullMBps, unit: 'MiB/s', baseline: r.floor!.oneCoreMBps, baselineName: 'one-core CPU floor', aim: '>= 0.8', note: `other processes kept ${r.otherCores.toFixed(2)} of ${cpus} cores busy meanwhile` }),
    figure({ name: `backup-full-${size}-over-two-core-floor`, value: r.fullMBps, unit: 'MiB/s', baseline: r.floor!.twoCoreMBps, baselineName: 'two-core CPU floor (lab | proxy)', aim: r.otherCores < 0.5 ? '>= 0.8' : null, note: r.otherCores < 0.5 ? `the second core was free (others used ${r.otherCores.toFixed(2)} cores)` : `no aim: other processes kept ${r.otherCores.toFixed(2)} cores busy, the second core was not free` }),
    figure({ name: `backup-full-${size}-per-cpu-second`, value: mib(r.bytes) / r.fullCpuSeconds, unit: 'MiB/CPU-s', baseline: r.floor!.oneCoreCpuMBps, baselineName: 'one-core CPU floor per CPU second', aim: '>= 0.8', note: 'CPU seconds of proxy and lab processes together: the overhead per byte, which other load barely changes' }),
    figure({ name: 'backup-cpu-floor-one-core', value: r.floor!.oneCoreMBps, unit: 'MiB/s', baseline: r.pipeMBps ?? null, baselineName: 'raw node:tls pipe', aim: null, note: `unavoidable work per byte: content ${r.floor!.contentMBps.toFixed(0)} MiB/s, 2 TLS hops, 2x SHA-256 at ${r.floor!.sha256MBps.toFixed(0)} MiB/s` }),
    figure({ name: 'backup-incremental-5pct', value: r.incremental!.seconds, unit: 's', baseline: r.fullSeconds, baselineName: 'full backup', aim: '<= 0.1', note: `${(r.incremental!.bytesRead / MiB).toFixed(0)} MiB read for ${(r.incremental!.changedBytes / MiB).toFixed(0)} MiB changed` }),
  ];
  if (!o.quick) {
    // The "both cores" decision, re-measured each full run: the same backup with lab and proxy sharing one process.
    const one = await backupRunInChild({ ...main, labProcess: 'same', incrementalPercent: undefined, baseline: false });
    figures.push(figure({ name: `backup-full-${size}-one-process`, value: one.fullMBps, unit: 'MiB/s', baseline: r.fullMBps, baselineName: 'lab in its own process', aim: null, note: 'lab and proxy share one event loop (docs/performance.md)' }));
  }
  figures.push(...(await rssFigures(o)));
  return figures;
}

async function rssFigures(o: BenchOptions): Promise<Figure[]> {
  // Blocks go to files here (32 GiB would not fit in memory); only the proxy process is measured.
  const small: BackupRunInput = o.quick ? { capacityGiB: 1, allocatedMiB: 256, labProcess: 'separate', store: 'file' } : { capacityGiB: 4, labProcess: 'separate', store: 'file' };
  const big: BackupRunInput = o.quick ? { ...small, capacityGiB: 8 } : { ...small, capacityGiB: 32, allocatedMiB: 8 * 1024 };
  const a = await backupRunInChild(small);
  const b = await backupRunInChild(big);
  const what = (i: BackupRunInput, r: BackupRunResult) => `${sizeName(r.bytes)} read of ${i.capacityGiB} GiB at ${r.fullMBps.toFixed(0)} MiB/s (file store); lab process ${r.labPeakRssMiB?.toFixed(0)} MiB`;
  return [
    figure({ name: `backup-peak-rss-${small.capacityGiB}GiB`, value: a.peakRssMiB, unit: 'MiB', baseline: RSS_BUDGET_MIB, baselineName: 'budget', aim: '<= 1', note: what(small, a) }),
    figure({ name: `backup-peak-rss-${big.capacityGiB}GiB`, value: b.peakRssMiB, unit: 'MiB', baseline: a.peakRssMiB, baselineName: `${small.capacityGiB} GiB disk`, aim: '<= 1.2', note: `${what(big, b)}; under ${RSS_BUDGET_MIB}: ${b.peakRssMiB <= RSS_BUDGET_MIB ? 'yes' : 'NO'}` }),
  ];
}

/** 50 VM backups at once from a 1,000-VM lab: how many succeed, and the SOAP latency the proxy sees. */
export async function benchConcurrentFigures(o: BenchOptions): Promise<Figure[]> {
  const backups = 50;
  const r = await concurrentBackups({ vms: 1000, backups, smallest: o.quick });
  const which = o.quick ? 'the smallest VMs' : 'VMs spread over the inventory';
  const note = r.failures.length ? `failures: ${r.failures.join('; ')}` : `${which}, ${(r.bytes / MiB).toFixed(0)} MiB allocated, ${r.seconds.toFixed(1)} s for all; ${r.soapCalls} SOAP calls`;
  return [
    figure({ name: `backup-${backups}-concurrent`, value: r.succeeded, unit: 'succeeded', baseline: r.backups, baselineName: 'started', aim: '>= 1', note }),
    figure({ name: `backup-${backups}-concurrent-soap-p50`, value: r.soapP50Ms, unit: 'ms', baseline: null, aim: null, note: 'measured on the proxy, client queueing included, WaitForUpdatesEx long polls excluded' }),
    figure({ name: `backup-${backups}-concurrent-soap-p99`, value: r.soapP99Ms, unit: 'ms', baseline: null, aim: null, note: `at or above p99: ${r.slowest}; 1,000-VM lab started in ${(r.labStartMs / 1000).toFixed(1)} s` }),
  ];
}
