import type { ManifestDisk, ManifestExtent, SnapshotManifest } from '../../simulators/core/codecs/cloud-api.ts';
import type { MoRef } from '../../simulators/core/codecs/vim25/index.ts';
import { VimFaultError, type DiskInfo, type VsphereClient } from '../clients/vsphere/index.ts';
import { bool, str } from '../clients/vsphere/values.ts';
import { ProxyError } from '../errors.ts';
import type { FlowContext } from './context.ts';
import { alignToBlocks, storeBlocks, type UploadStats } from './blocks.ts';
import { ResumingNfcReader } from './resumable-read.ts';
import { BufferPool } from '../clients/nfc/index.ts';
import { guestFamilyOf, probeGuest, type GuestProbe } from './probe-guest.ts';
import { findVm } from './find-vm.ts';

export interface VmBackupParams {
  /** VM name, or its instance UUID. */
  vm: string;
  /** auto: incremental when a previous backup with changeIds exists, else full. */
  mode?: 'auto' | 'full' | 'incremental';
}

export interface VmBackupResult {
  manifestId: string;
  vm: string;
  kind: 'full' | 'incremental';
  /** Disks that fell back to a full read (CBT reset, no usable changeId). */
  fullFallbacks: number[];
  /** Times the 902 connection was lost and reading resumed on a new one. */
  nfcResumes: number;
  /** What went less well than asked and was worked around (crash-consistent instead of quiesced...). */
  warnings: string[];
  target: 'cloudcache' | 'cloud';
  transport: string;
  quiesced: boolean;
  disks: { key: number; changeId?: string; extentsRead: number; bytesRead: number }[];
  blocks: number;
  blocksUploaded: number;
  bytesRead: number;
  bytesSent: number;
  /** bytes read / bytes sent. */
  dedupRatio: number;
  seconds: number;
  mbPerSecond: number;
  probe: GuestProbe;
}

const VM_PROPS = ['name', 'config.instanceUuid', 'config.guestId', 'config.changeTrackingEnabled', 'runtime.powerState', 'guest.toolsRunningStatus', 'guest.guestFamily', 'guest.ipAddress'];

/**
 * The VADP backup of one VM: CBT on, a (quiesced) snapshot, changed areas from the snapshot's
 * changeIds, disk data over 902 (NFC) cut into blocks, only missing blocks uploaded, a manifest
 * that describes the whole disk (an incremental carries forward the unchanged blocks), a guest
 * probe, and the snapshot removed whatever happened.
 */
export async function backupVm(ctx: FlowContext, params: VmBackupParams): Promise<VmBackupResult> {
  const started = performance.now();
  const vs = await ctx.vsphere();
  const vm = await findVm(vs, params.vm);
  const p = await vs.props(vm, VM_PROPS);
  const name = str(p.name) ?? params.vm;
  const vmId = str(p['config.instanceUuid']) ?? vm.value;
  const toolsRunning = str(p['guest.toolsRunningStatus']) === 'guestToolsRunning';

  if (bool(p['config.changeTrackingEnabled']) !== true) {
    ctx.log(`${name}: enabling changed block tracking`);
    await vs.enableCbt(vm, true, ctx.config.timeouts.task);
  }
  const previous = params.mode === 'full' ? undefined : await latestManifest(ctx, vmId);
  if (params.mode === 'incremental' && !previous) {
    throw new ProxyError('invalid-state', `no earlier backup of ${name} to base an incremental on`);
  }

  const warnings: string[] = [];
  if (!toolsRunning) ctx.log(`${name}: VMware Tools not running, taking a crash-consistent snapshot`, 'warn');
  const { snapshot, quiesced } = await snapshotForBackup(ctx, vs, vm, name, toolsRunning, warnings);
  let result: Omit<VmBackupResult, 'seconds' | 'mbPerSecond' | 'probe' | 'manifestId'> & { manifest: SnapshotManifest };
  try {
    result = await readAndStore(ctx, vs, vm, snapshot, { name, vmId, previous, guestId: str(p['config.guestId']) });
    result.quiesced = quiesced;
    result.warnings.push(...warnings);
  } finally {
    await vs.removeSnapshot(snapshot, ctx.config.timeouts.task).then(
      () => ctx.log(`${name}: snapshot removed`),
      (err: Error) => ctx.log(`${name}: could not remove the backup snapshot: ${err.message}`, 'error'),
    );
  }
  const probe = await probeGuest(ctx, guestFamilyOf(str(p['guest.guestFamily']), str(p['config.guestId'])), str(p['guest.ipAddress']));
  ctx.log(`${name}: ${probe.kind.toUpperCase()} probe ${probe.host}:${probe.port} ${probe.state}`);
  result.manifest.probes = { [probe.kind]: probe };
  const stored = await ctx.cloud.putManifest(result.manifest);
  const seconds = (performance.now() - started) / 1000;
  const { manifest: _m, ...rest } = result;
  return { ...rest, manifestId: stored.id!, probe, seconds, mbPerSecond: rest.bytesRead / 2 ** 20 / seconds };
}

/**
 * A quiesced snapshot when VMware Tools run; if quiescing fails (VSS writer failed, freeze timeout),
 * a crash-consistent one instead, as backup products do by default: the job succeeds with a warning
 * in its result rather than leaving the VM without a backup.
 */
async function snapshotForBackup(ctx: FlowContext, vs: VsphereClient, vm: MoRef, name: string, quiesce: boolean, warnings: string[]): Promise<{ snapshot: MoRef; quiesced: boolean }> {
  if (!quiesce) return { snapshot: await createSnapshot(ctx, vs, vm, name, false), quiesced: false };
  try {
    return { snapshot: await createSnapshot(ctx, vs, vm, name, true), quiesced: true };
  } catch (err) {
    if (!(err instanceof ProxyError) || err.errorClass !== 'quiesce') throw err;
    const warning = `${err.message}; fell back to a crash-consistent snapshot (quiesce=false)`;
    ctx.log(warning, 'warn');
    warnings.push(warning);
    return { snapshot: await createSnapshot(ctx, vs, vm, name, false), quiesced: false };
  }
}

async function createSnapshot(ctx: FlowContext, vs: VsphereClient, vm: MoRef, name: string, quiesce: boolean): Promise<MoRef> {
  try {
    const snap = await vs.createSnapshot(vm, `bpsim-backup-${ctx.job}`, { quiesce, memory: false, timeoutMs: ctx.config.timeouts.task });
    ctx.log(`${name}: snapshot ${snap.value} created${quiesce ? ' (quiesced)' : ''}`);
    return snap;
  } catch (err) {
    if (err instanceof VimFaultError) {
      const cls = /Quiesce/i.test(err.faultType) ? 'quiesce' : 'snapshot';
      throw new ProxyError(cls, `${name}: snapshot failed: ${err.message}`, { fault: err.faultType }, { cause: err });
    }
    throw err;
  }
}

async function latestManifest(ctx: FlowContext, vmId: string): Promise<SnapshotManifest | undefined> {
  const list = await ctx.cloud.listManifests(vmId);
  const latest = [...list].sort((a, b) => a.createdAt.localeCompare(b.createdAt)).pop();
  return latest ? ctx.cloud.getManifest(latest.id) : undefined;
}

interface ReadInput {
  name: string;
  vmId: string;
  previous?: SnapshotManifest;
  guestId?: string;
}

async function readAndStore(ctx: FlowContext, vs: VsphereClient, vm: MoRef, snapshot: MoRef, input: ReadInput) {
  const disks = await vs.disks(snapshot);
  const blockSize = ctx.config.blockSize;
  const prevBlockSize = Number(input.previous?.blockSize ?? 0);
  const warnings: string[] = [];
  const plans: { disk: DiskInfo; base: string; extents: { start: number; length: number }[]; prev?: ManifestDisk; fellBack: boolean }[] = [];
  for (const disk of disks) {
    if (disk.encrypted && ctx.config.transport === 'nbd') {
      throw new ProxyError('invalid-state', `${input.name}: ${disk.label} is encrypted and cannot be read over NBD; use NBDSSL`);
    }
    const prev = prevBlockSize === blockSize ? input.previous?.disks.find((d) => d.key === disk.key) : undefined;
    let base = prev?.changeId ?? '*';
    let fellBack = false;
    let areas;
    try {
      areas = await vs.queryChangedDiskAreas(vm, snapshot, disk.key, base, disk.capacityBytes);
    } catch (err) {
      if (!(err instanceof VimFaultError) || err.faultType !== 'FileFault' || base === '*') {
        throw new ProxyError('cbt', `${input.name}: QueryChangedDiskAreas failed: ${(err as Error).message}`, {}, { cause: err });
      }
      const warning = `${input.name}: changeId ${base} is no longer valid (CBT reset, or change tracking restarted on the host: ${err.message}); falling back to a full read of ${disk.label}`;
      ctx.log(warning, 'warn');
      warnings.push(warning);
      base = '*';
      fellBack = true;
      areas = await vs.queryChangedDiskAreas(vm, snapshot, disk.key, '*', disk.capacityBytes);
    }
    plans.push({ disk, base, extents: alignToBlocks(areas.extents, blockSize, disk.capacityBytes), prev: base === '*' ? undefined : prev, fellBack });
  }
  const totalBytes = plans.reduce((n, p) => n + p.extents.reduce((m, e) => m + e.length, 0), 0);
  const incremental = plans.some((p) => p.base !== '*');
  ctx.log(`${input.name}: ${incremental ? 'incremental' : 'full'} backup, ${plans.length} disk(s), ${(totalBytes / 2 ** 20).toFixed(1)} MiB to read, blocks to ${ctx.data.name}`);

  const totals: UploadStats = { blocks: 0, blocksUploaded: 0, bytesRead: 0, bytesSent: 0 };
  let nfcResumes = 0;
  const manifestDisks: ManifestDisk[] = [];
  const diskResults: VmBackupResult['disks'] = [];
  if (totalBytes > 0) {
    const reader = await ResumingNfcReader.open(ctx, vs, vm);
    // Blocks are read into reused buffers: storeBlocks hands each back once it is hashed and sent or skipped.
    const pool = new BufferPool(blockSize);
    try {
      for (const plan of plans) {
        const before = { ...totals };
        const source = reader.read(plan.disk.fileName, plan.extents, { chunkBytes: blockSize, inFlight: 8, pool });
        const { stored } = await storeBlocks(source, ctx.data, (s) => {
          ctx.progress('backup', before.bytesRead + s.bytesRead, totalBytes, before.bytesSent + s.bytesSent);
          Object.assign(totals, { blocks: before.blocks + s.blocks, blocksUploaded: before.blocksUploaded + s.blocksUploaded, bytesRead: before.bytesRead + s.bytesRead, bytesSent: before.bytesSent + s.bytesSent });
        }, { release: (data) => pool.give(data) });
        manifestDisks.push(manifestDisk(plan.disk, plan.prev, stored));
        diskResults.push({ key: plan.disk.key, changeId: plan.disk.changeId, extentsRead: plan.extents.length, bytesRead: stored.reduce((n, s) => n + s.length, 0) });
      }
    } finally {
      nfcResumes = reader.resumes;
      await reader.close();
    }
  } else {
    for (const plan of plans) {
      manifestDisks.push(manifestDisk(plan.disk, plan.prev, []));
      diskResults.push({ key: plan.disk.key, changeId: plan.disk.changeId, extentsRead: 0, bytesRead: 0 });
    }
  }
  const kind: 'full' | 'incremental' = incremental ? 'incremental' : 'full';
  const manifest: SnapshotManifest = {
    vm: { id: input.vmId, name: input.name, moref: vm.value, guestId: input.guestId },
    kind,
    blockSize,
    basedOn: incremental ? input.previous?.id : undefined,
    transport: ctx.config.transport,
    disks: manifestDisks,
  };
  return {
    manifest,
    vm: input.name,
    kind,
    fullFallbacks: plans.filter((p) => p.fellBack).map((p) => p.disk.key),
    nfcResumes,
    warnings,
    target: ctx.data.name,
    transport: ctx.config.transport,
    quiesced: false,
    disks: diskResults,
    ...totals,
    dedupRatio: totals.bytesSent ? totals.bytesRead / totals.bytesSent : totals.bytesRead ? Infinity : 1,
  };
}

/** The whole disk as of this backup: the previous manifest's blocks with the changed ones replaced. */
function manifestDisk(disk: DiskInfo, prev: ManifestDisk | undefined, changed: { offset: number; length: number; hash: string }[]): ManifestDisk {
  const byOffset = new Map<number, ManifestExtent>();
  for (const e of prev?.extents ?? []) byOffset.set(e.offset, e);
  for (const e of changed) byOffset.set(e.offset, e);
  return {
    key: disk.key,
    label: disk.label,
    fileName: disk.fileName,
    capacityBytes: disk.capacityBytes,
    changeId: disk.changeId,
    encrypted: disk.encrypted,
    extents: [...byOffset.values()].sort((a, b) => a.offset - b.offset),
  };
}

