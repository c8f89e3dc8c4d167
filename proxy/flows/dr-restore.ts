import type { SnapshotManifest } from '../../simulators/core/codecs/cloud-api.ts';
import type { MoRef } from '../../simulators/core/codecs/vim25/index.ts';
import type { VsphereClient } from '../clients/vsphere/index.ts';
import { str } from '../clients/vsphere/values.ts';
import { ProxyError } from '../errors.ts';
import { backoff } from '../util/sleep.ts';
import type { FlowContext } from './context.ts';
import { openNfc } from './nfc-session.ts';
import { guestFamilyOf, probeGuest, type GuestProbe } from './probe-guest.ts';
import type { Block } from './blocks.ts';
import { sha256Hex } from '../../simulators/core/codecs/sha256.ts';

export interface DrRestoreParams {
  /** Restore from this manifest, or from the latest backup of `vm`. */
  manifestId?: string;
  vm?: string;
  /** Name of the new VM (default: "<vm>-dr"). */
  newName?: string;
  datastore?: string;
}

export interface DrRestoreResult {
  manifestId: string;
  vm: string;
  moref: string;
  disks: { key: number; bytesWritten: number; verified: boolean }[];
  bytesWritten: number;
  probe: GuestProbe;
  seconds: number;
}

/**
 * DR restore: a new VM through vCenter (CreateVM_Task) with disks of the backed-up sizes, every
 * backed-up block written over 902 with read-write NFC tickets, read back and checked against the
 * manifest's hashes, then powered on and probed (RDP/SSH) until it answers or the deadline passes.
 */
export async function restoreDr(ctx: FlowContext, params: DrRestoreParams): Promise<DrRestoreResult> {
  const started = performance.now();
  const manifest = await pickManifest(ctx, params);
  const name = params.newName ?? `${manifest.vm.name ?? 'vm'}-dr`;
  const vs = await ctx.vsphere();
  const datastore = params.datastore ?? datastoreOf(manifest);
  const guestId = String(manifest.vm.guestId ?? 'otherGuest64');
  const vm = await vs.createVm({ name, guestId, datastore, diskBytes: manifest.disks.map((d) => d.capacityBytes) }, ctx.config.timeouts.task);
  ctx.log(`created ${name} (${vm.value}) on ${datastore} with ${manifest.disks.length} disk(s)`);
  const newDisks = await vs.disks(vm);
  const total = manifest.disks.reduce((n, d) => n + d.extents.reduce((m, e) => m + e.length, 0), 0);
  let written = 0;
  const results: DrRestoreResult['disks'] = [];
  for (const [i, src] of manifest.disks.entries()) {
    const dst = newDisks[i];
    if (!dst) throw new ProxyError('invalid-state', `${name} has ${newDisks.length} disks, the backup has ${manifest.disks.length}`);
    const conn = await openNfc(ctx, vs, vm, 'readwrite', dst.key);
    try {
      const disk = await conn.openDisk(dst.fileName, { readOnly: false });
      const before = written;
      const chunks = async function* (): AsyncGenerator<{ offset: number; data: Buffer }> {
        for (const e of src.extents) {
          const data = await ctx.data.download(e.hash);
          if (data.length !== e.length) throw new ProxyError('integrity', `block ${e.hash.slice(0, 12)} has ${data.length} bytes, the manifest says ${e.length}`);
          yield { offset: e.offset, data };
          written += data.length;
          ctx.progress('dr-restore', written, total, 0);
        }
      };
      await disk.writeChunks(chunks(), { inFlight: 8 });
      const verified = await verifyDisk(disk.readExtents(src.extents.map((e) => ({ start: e.offset, length: e.length })), { inFlight: 8 }) as AsyncIterable<Block>, src.extents);
      if (!verified.ok) throw new ProxyError('integrity', `${name} ${dst.label}: block at ${verified.offset} reads back differently from the backup`);
      await disk.close();
      results.push({ key: dst.key, bytesWritten: written - before, verified: true });
      ctx.log(`${name} ${dst.label}: ${((written - before) / 2 ** 20).toFixed(1)} MiB written over 902 and verified`);
    } finally {
      await conn.close().catch(() => conn.destroy());
    }
  }
  await vs.powerOn(vm, ctx.config.timeouts.task);
  ctx.log(`${name}: powered on`);
  const probe = await probeUntilOpen(ctx, vs, vm);
  ctx.log(`${name}: ${probe.kind.toUpperCase()} ${probe.host}:${probe.port} ${probe.state}`);
  if (probe.state !== 'open') throw new ProxyError('probe', `${name} did not open ${probe.kind.toUpperCase()} within ${ctx.config.timeouts.drBoot} ms (${probe.state}: ${probe.detail})`);
  return { manifestId: manifest.id!, vm: name, moref: vm.value, disks: results, bytesWritten: written, probe, seconds: (performance.now() - started) / 1000 };
}

async function pickManifest(ctx: FlowContext, params: DrRestoreParams): Promise<SnapshotManifest> {
  if (params.manifestId) return ctx.cloud.getManifest(params.manifestId);
  if (!params.vm) throw new ProxyError('invalid-state', 'a DR restore needs a manifestId or a vm');
  const all = await ctx.cloud.listManifests();
  const latest = all.filter((m) => m.vmName === params.vm || m.vmId === params.vm).sort((a, b) => a.createdAt.localeCompare(b.createdAt)).pop();
  if (!latest) throw new ProxyError('not-found', `no backup of ${params.vm} in the cloud`);
  return ctx.cloud.getManifest(latest.id);
}

async function verifyDisk(source: AsyncIterable<Block>, extents: { offset: number; hash: string }[]): Promise<{ ok: boolean; offset?: number }> {
  let i = 0;
  for await (const chunk of source) {
    const want = extents[i++];
    if (!want || want.offset !== chunk.offset || sha256Hex(chunk.data) !== want.hash) return { ok: false, offset: chunk.offset };
  }
  return { ok: i === extents.length };
}

/** The datastore the VM's disks were on ("[datastore1] vm/vm.vmdk"), so the restore lands beside them. */
function datastoreOf(manifest: SnapshotManifest): string {
  const m = /^\[([^\]]+)\]/.exec(String(manifest.disks[0]?.fileName ?? ''));
  if (!m) throw new ProxyError('invalid-state', 'the backup does not say which datastore its disks were on; pass a datastore');
  return m[1]!;
}

async function probeUntilOpen(ctx: FlowContext, vs: VsphereClient, vm: MoRef): Promise<GuestProbe> {
  const deadline = Date.now() + ctx.config.timeouts.drBoot;
  let probe: GuestProbe | undefined;
  const pause = backoff(250);
  while (Date.now() < deadline) {
    const p = await vs.props(vm, ['guest.ipAddress', 'guest.guestFamily', 'config.guestId']);
    probe = await probeGuest(ctx, guestFamilyOf(str(p['guest.guestFamily']), str(p['config.guestId'])), str(p['guest.ipAddress']));
    if (probe.state === 'open') return probe;
    await pause();
  }
  return probe ?? { kind: 'ssh', host: '', port: 22, state: 'skipped', detail: 'no probe ran before the deadline' };
}
