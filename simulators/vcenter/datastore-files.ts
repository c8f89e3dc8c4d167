import { createHash } from 'node:crypto';
import type { LabWorld } from '../world.ts';
import { vsphereOf, type VmState } from './state.ts';
import { splitDsPath, vmdkDescriptor, vmxText, type VmxDisk } from './vmx.ts';

export type DsFileKind = 'folder' | 'vmx' | 'nvram' | 'vmdk' | 'extent' | 'ctk' | 'log' | 'vmsd' | 'file';

/** One file (or folder) on a datastore; `bytes` is undefined for disk extents (their size is the disk's). */
export interface DsFile {
  /** Path below the datastore root, folders without a trailing slash ("sql01/sql01.vmx"). */
  path: string;
  kind: DsFileKind;
  size: number;
  modification: Date;
  bytes?: () => Buffer;
  /** Random access to a disk extent's bytes (a `-flat.vmdk` is the live disk). */
  read?: (offset: number, length: number) => Buffer;
  /** Part of a VM's state (generated), as opposed to uploaded. */
  generated: boolean;
}

/** Largest file accepted through /folder uploads (kept in memory). */
export const MAX_UPLOAD = 64 * 1024 * 1024;

const NVRAM_SIZE = 8684;

function kindOf(name: string): DsFileKind {
  if (/\.vmx$/i.test(name)) return 'vmx';
  if (/\.nvram$/i.test(name)) return 'nvram';
  if (/-ctk\.vmdk$/i.test(name)) return 'ctk';
  if (/-(flat|delta|sesparse)\.vmdk$/i.test(name)) return 'extent';
  if (/\.vmdk$/i.test(name)) return 'vmdk';
  if (/\.log$/i.test(name)) return 'log';
  if (/\.vmsd$/i.test(name)) return 'vmsd';
  return 'file';
}

/** Normalizes a datastore path: no leading/trailing slashes, no "." or ".." (undefined if it tries to escape). */
export function cleanPath(p: string): string | undefined {
  const parts: string[] = [];
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..' || seg.includes('\\') || seg.includes('\0')) return undefined;
    parts.push(seg);
  }
  return parts.join('/');
}

/**
 * The lab's datastores as files: every VM's folder (`.vmx`, `.nvram`, `.vmsd`, `vmware.log`, each disk's
 * descriptor, `-flat.vmdk` of the disk's size, `-ctk.vmdk` with CBT, the snapshot delta while one
 * exists) generated from the live VM state, plus files uploaded through /folder (which win over
 * generated ones of the same path). Shared by vCenter and every host agent through the world.
 */
export class DatastoreFiles {
  private readonly uploads = new Map<string, Map<string, { bytes: Buffer; modification: Date }>>();
  private readonly dirs = new Map<string, Set<string>>();

  constructor(private readonly world: LabWorld) {}

  private dsIdOf = (name: string) => this.world.inventory.datastores.find((d) => d.name === name)?.moid ?? name;

  hasDatastore(name: string): boolean {
    return this.world.inventory.datastores.some((d) => d.name === name);
  }

  /** Every file and folder of datastore `ds`. */
  list(ds: string): DsFile[] {
    const out = new Map<string, DsFile>();
    for (const vm of vsphereOf(this.world).vms.values()) {
      // Only VMs with something on this datastore: their disk state is then looked up (a large lab stays cheap).
      if (this.vmDatastore(vm) !== ds && !vm.spec.disks.some((d) => d.datastore === ds)) continue;
      for (const f of this.vmFiles(vm)) if (f.ds === ds) out.set(f.file.path, f.file);
    }
    for (const [path, u] of this.uploads.get(ds) ?? []) {
      out.set(path, { path, kind: kindOf(path), size: u.bytes.length, modification: u.modification, bytes: () => u.bytes, generated: false });
    }
    const folders = new Map<string, Date>();
    for (const d of this.dirs.get(ds) ?? []) folders.set(d, new Date(0));
    for (const f of out.values()) {
      const parts = f.path.split('/');
      for (let i = 1; i < parts.length; i++) {
        const dir = parts.slice(0, i).join('/');
        const prev = folders.get(dir);
        if (!prev || prev < f.modification) folders.set(dir, f.modification);
      }
    }
    for (const [path, modification] of folders) out.set(path, { path, kind: 'folder', size: 0, modification, generated: true });
    return [...out.values()];
  }

  get(ds: string, path: string): DsFile | undefined {
    return this.list(ds).find((f) => f.path === path);
  }

  put(ds: string, path: string, bytes: Buffer): void {
    let m = this.uploads.get(ds);
    if (!m) this.uploads.set(ds, (m = new Map()));
    m.set(path, { bytes, modification: new Date() });
  }

  /** Removes an uploaded file; false when there is none (generated files belong to their VM). */
  delete(ds: string, path: string): boolean {
    return this.uploads.get(ds)?.delete(path) ?? false;
  }

  mkdir(ds: string, path: string): void {
    let s = this.dirs.get(ds);
    if (!s) this.dirs.set(ds, (s = new Set()));
    s.add(path);
  }

  /** Where the VM's folder is: its first disk's datastore, as config.files.vmPathName says. */
  private vmDatastore(vm: VmState): string {
    const s = vm.spec;
    return s.disks[0]?.datastore ?? this.world.inventory.datastores.find((d) => d.moid === s.datastore)?.name ?? 'datastore1';
  }

  /** The files a VM's state implies, with the datastore each one is on. */
  private vmFiles(vm: VmState): { ds: string; file: DsFile }[] {
    const s = vm.spec;
    const dsName = this.vmDatastore(vm);
    const dir = { ds: dsName, path: `${s.name}/` };
    const mod = vm.modified;
    const text = (path: string, make: () => string, ds = dsName) => {
      const t = () => Buffer.from(make(), 'utf8');
      return { ds, file: { path, kind: kindOf(path), get size() { return t().length; }, modification: mod, bytes: t, generated: true } as DsFile };
    };
    const live = this.liveDisks(vm);
    const out = [
      text(`${dir.path}${s.name}.vmx`, () => vmxText(vm, dir, live, this.dsIdOf)),
      { ds: dsName, file: { path: `${dir.path}${s.name}.nvram`, kind: 'nvram' as const, size: NVRAM_SIZE, modification: mod, bytes: () => nvram(s.uuid), generated: true } },
      text(`${dir.path}${s.name}.vmsd`, () => vmsd(vm)),
      text(`${dir.path}vmware.log`, () => `${mod.toISOString()} In(05) vmx - bpsim: ${s.name} ${s.powerState}\n`),
    ];
    for (const d of live) {
      const base = splitDsPath(d.spec.fileName);
      if (!base) continue;
      const stem = base.path.replace(/\.vmdk$/i, '');
      const name = stem.slice(stem.lastIndexOf('/') + 1);
      out.push(text(base.path, () => vmdkDescriptor(d.spec, name, { cbt: d.cbt }), base.ds));
      const disk = this.world.disks ? vsphereOf(this.world).disk(vm, d.spec.key) : undefined;
      const read = disk && ((offset: number, length: number) => disk.read({ disk, readOnly: true }, offset, length));
      out.push({ ds: base.ds, file: { path: `${stem}-flat.vmdk`, kind: 'extent', size: d.spec.capacityBytes, modification: mod, generated: true, read } });
      if (d.cbt) out.push({ ds: base.ds, file: { path: `${stem}-ctk.vmdk`, kind: 'ctk', size: 512 + Math.ceil(d.spec.capacityBytes / (512 * 1024)) * 4, modification: mod, generated: true } });
      const cur = splitDsPath(d.fileName);
      if (cur && cur.path !== base.path) {
        const cstem = cur.path.replace(/\.vmdk$/i, '');
        const cname = cstem.slice(cstem.lastIndexOf('/') + 1);
        out.push(text(cur.path, () => vmdkDescriptor(d.spec, cname, { cbt: d.cbt, parent: name }), cur.ds));
        out.push({ ds: cur.ds, file: { path: `${cstem}-sesparse.vmdk`, kind: 'extent', size: 4 * 1024 * 1024, modification: mod, generated: true } });
      }
    }
    return out;
  }

  /** Each disk's current file and CBT state (from the disk model when it is loaded). */
  liveDisks(vm: VmState): VmxDisk[] {
    const model = this.world.disks ? vsphereOf(this.world).disks(vm) : undefined;
    return vm.spec.disks.map((spec) => {
      const d = model?.find((x) => x.key === spec.key);
      return { spec, fileName: d?.currentFileName ?? spec.fileName, cbt: vm.spec.cbtEnabled && (d?.changeTrackingEnabled ?? true) };
    });
  }
}

function nvram(uuid: string): Buffer {
  const out = Buffer.alloc(NVRAM_SIZE);
  Buffer.from('MRVN').copy(out, 0);
  let block = createHash('sha256').update(uuid).digest();
  for (let at = 16; at < NVRAM_SIZE; at += block.length) {
    block.copy(out, at);
    block = createHash('sha256').update(block).digest();
  }
  return out;
}

function vmsd(vm: VmState): string {
  const lines = ['.encoding = "UTF-8"', `snapshot.lastUID = "${Math.max(0, ...vm.snapshots.keys())}"`, `snapshot.numSnapshots = "${vm.snapshots.size}"`];
  if (vm.currentSnapshot !== undefined) lines.push(`snapshot.current = "${vm.currentSnapshot}"`);
  [...vm.snapshots.values()].forEach((s, i) => lines.push(`snapshot${i}.uid = "${s.id}"`, `snapshot${i}.displayName = "${s.name}"`));
  return lines.join('\n') + '\n';
}

const stores = new WeakMap<LabWorld, DatastoreFiles>();
export function datastoreFilesOf(world: LabWorld): DatastoreFiles {
  let s = stores.get(world);
  if (!s) stores.set(world, (s = new DatastoreFiles(world)));
  return s;
}
