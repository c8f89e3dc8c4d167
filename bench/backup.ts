import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLab, type LabOptions } from '../simulators/lab.ts';
import { CertificateAuthority } from '../simulators/core/pki/ca.ts';
import { BackupProxy } from '../proxy/backup-proxy.ts';
import { proxyConfigFor, type LabSummaryLike } from '../proxy/config.ts';
import { tlsPipeMBps } from './baselines/tls-pipe.ts';
import { cpuFloor, type CpuFloor } from './baselines/cpu-floor.ts';
import { startRemoteLab } from './lab-host.ts';
import { childMain, runInChild } from './child.ts';
import { peakRssMiB } from './peak-rss.ts';
import { machineBusySeconds, otherCores } from './other-load.ts';

const MiB = 2 ** 20;
export const BENCH_VM = 'bench01';

export interface BackupRunInput {
  capacityGiB: number;
  /** Allocated (written) part of the disk; default the whole capacity. */
  allocatedMiB?: number;
  /** Lab in its own process (proxy alone in this one) or in this process with the proxy. */
  labProcess: 'separate' | 'same';
  /** After the full: the guest changes this % of the disk, then an incremental runs. */
  incrementalPercent?: number;
  /** Measure the raw TLS pipe with the same byte count in this process first. */
  baseline?: boolean;
  /** CloudCache's block store: in memory (the default lab) or files under a temp stateDir (fsync per block). */
  store: 'memory' | 'file';
}

export interface BackupRunResult {
  bytes: number;
  fullSeconds: number;
  fullMBps: number;
  blocks: number;
  blocksUploaded: number;
  target: string;
  pipeMBps?: number;
  floor?: CpuFloor;
  incremental?: { seconds: number; bytesRead: number; changedBytes: number };
  /** CPU seconds of the full backup, both processes (proxy and lab) together. */
  fullCpuSeconds: number;
  /** Cores other processes kept busy during the full backup (bench/other-load.ts): near 0, the second core was ours. */
  otherCores: number;
  /** Peak RSS of this process (the proxy, plus the lab when labProcess is "same"). */
  peakRssMiB: number;
  labPeakRssMiB?: number;
}

/** A sync window that is closed now: CloudCache keeps the blocks, so the bench measures 902 -> proxy -> CloudCache only. */
function closedSyncWindow(): { start: string; end: string } {
  const t = new Date(Date.now() + 12 * 3600_000);
  const hhmm = (d: Date) => `${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}`;
  return { start: hhmm(t), end: hhmm(new Date(t.getTime() + 60_000)) };
}

export function benchLabOptions(stateDir: string | undefined, extraVms: LabOptions['extraVms'], more: LabOptions = {}): LabOptions {
  return { ...(stateDir ? { stateDir } : {}), extraVms, cloudcache: { syncWindow: closedSyncWindow() }, ...more };
}

/** One full (and optionally incremental) backup of a one-disk VM through the real proxy flow. */
export async function backupRun(input: BackupRunInput): Promise<BackupRunResult> {
  const stateDir = await mkdtemp(join(tmpdir(), 'bpsim-bench-backup-'));
  const options = benchLabOptions(input.store === 'file' ? stateDir : undefined, [{ name: BENCH_VM, disks: [{ capacityGiB: input.capacityGiB, allocatedMiB: input.allocatedMiB }] }], { without: ['guests'] });
  const bytes = (input.allocatedMiB ?? input.capacityGiB * 1024) * MiB;
  let pipeMBps: number | undefined;
  let floor: CpuFloor | undefined;
  if (input.baseline) {
    const pipe = await tlsPipeMBps(await CertificateAuthority.ephemeral('bpsim bench pipe CA'), bytes);
    pipeMBps = pipe.wall;
    floor = cpuFloor(pipe);
  }
  const lab = await openLab(options, input.labProcess);
  try {
    const proxy = new BackupProxy(proxyConfigFor(lab.summary));
    try {
      await proxy.activate();
      const cpu0 = await cpuSeconds(lab);
      const busy0 = machineBusySeconds();
      const full = await proxy.backupVm({ vm: BENCH_VM, mode: 'full' });
      const fullCpuSeconds = (await cpuSeconds(lab)) - cpu0;
      const others = otherCores(busy0, machineBusySeconds(), fullCpuSeconds, full.seconds);
      // Partly allocated disks are read in whole blocks, so a little more than the allocated bytes.
      if (full.bytesRead < bytes) throw new Error(`full backup read ${full.bytesRead} of ${bytes} allocated bytes`);
      const result: BackupRunResult = {
        bytes: full.bytesRead, fullSeconds: full.seconds, fullMBps: full.mbPerSecond, blocks: full.blocks, blocksUploaded: full.blocksUploaded, target: full.target, pipeMBps, floor, peakRssMiB: 0,
        fullCpuSeconds, otherCores: others,
      };
      if (input.incrementalPercent) {
        const changedBytes = await lab.guestWrite(BENCH_VM, input.incrementalPercent, 32);
        const inc = await proxy.backupVm({ vm: BENCH_VM });
        if (inc.kind !== 'incremental') throw new Error(`expected an incremental, got a ${inc.kind} backup`);
        result.incremental = { seconds: inc.seconds, bytesRead: inc.bytesRead, changedBytes };
      }
      result.peakRssMiB = peakRssMiB();
      result.labPeakRssMiB = await lab.peakRssMiB();
      return result;
    } finally {
      proxy.http.close();
    }
  } finally {
    await lab.stop();
    await rm(stateDir, { recursive: true, force: true });
  }
}

/** CPU seconds used so far by this process and, when it has one, the lab's own process. */
async function cpuSeconds(lab: LabHandle): Promise<number> {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6 + ((await lab.cpuSeconds?.()) ?? 0);
}

interface LabHandle {
  summary: LabSummaryLike;
  /** The lab process's CPU seconds, when it runs apart. */
  cpuSeconds?(): Promise<number>;
  guestWrite(vm: string, percent: number, extents: number): Promise<number>;
  peakRssMiB(): Promise<number | undefined>;
  stop(): Promise<void>;
}

/** The lab in this process or in its own; the same few operations either way. */
export async function openLab(options: LabOptions, where: 'separate' | 'same'): Promise<LabHandle> {
  if (where === 'separate') return startRemoteLab(options);
  const lab = await startLab(options);
  return {
    summary: { caPem: lab.ca.cert, endpoints: lab.endpoints(), credentials: lab.credentials, proxyAddress: lab.addressOf('proxy') },
    guestWrite: async (name, percent, extents) => {
      const vm = lab.world.inventory.vms.find((v) => v.name === name)!;
      return lab.world.disks.forVm(vm.moid).reduce((n, d) => n + d.guestWrite({ percent, extents }).bytes, 0);
    },
    peakRssMiB: async () => undefined,
    stop: () => lab.stop(),
  };
}

/** The same run in a fresh process (its peak RSS is this run's alone). */
export function backupRunInChild(input: BackupRunInput, timeoutMs = 15 * 60_000): Promise<BackupRunResult> {
  return runInChild(import.meta.url, input, timeoutMs);
}

childMain(import.meta.url, backupRun);
