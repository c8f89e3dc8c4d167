import { randomBytes } from 'node:crypto';
import { GuestError, type GuestFileEntry, type GuestFileSystem } from '../contract.ts';
import type { GuestOs } from '../../core/codecs/guest-bundle.ts';

/** Programs every guest of a family has without anyone uploading them. */
const SYSTEM_PROGRAMS: Record<GuestOs, string[]> = {
  windows: ['C:\\Windows\\System32\\cmd.exe', 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe', 'C:\\Windows\\System32\\whoami.exe'],
  linux: ['/bin/sh', '/bin/bash', '/usr/bin/env', '/usr/bin/whoami'],
};

/** Directories a fresh guest has; the system ones cannot be deleted or moved (GuestPermissionDenied). */
const SYSTEM_DIRS: Record<GuestOs, string[]> = {
  windows: ['C:\\', 'C:\\Windows', 'C:\\Windows\\System32', 'C:\\Windows\\Temp', 'C:\\Program Files', 'C:\\ProgramData', 'C:\\Users', 'C:\\Users\\Administrator'],
  linux: ['/', '/bin', '/usr', '/usr/bin', '/etc', '/var', '/var/tmp', '/tmp', '/root', '/home', '/opt'],
};
const TEMP_DIR: Record<GuestOs, string> = { windows: 'C:\\Windows\\Temp', linux: '/tmp' };

interface Entry {
  path: string;
  type: 'file' | 'directory';
  data?: Buffer;
  modified: Date;
}

/**
 * The guest's file system as guest operations see it: absolute paths only (relative ones are
 * InvalidArgument), case-insensitive on Windows, "." and ".." resolved, `\\?\` prefixes accepted.
 */
export class FileStore implements GuestFileSystem {
  private readonly entries = new Map<string, Entry>();
  private readonly protectedKeys: Set<string>;

  constructor(readonly os: GuestOs) {
    const now = new Date();
    for (const d of SYSTEM_DIRS[os]) this.entries.set(this.key(d), { path: this.normalize(d), type: 'directory', modified: now });
    this.protectedKeys = new Set(SYSTEM_DIRS[os].filter((d) => d !== TEMP_DIR[os] && !d.endsWith('Administrator')).map((d) => this.key(d)));
  }

  get separator(): string {
    return this.os === 'windows' ? '\\' : '/';
  }

  /** The absolute form of `path` (the guest's own spelling), or InvalidArgument. */
  normalize(path: string): string {
    if (typeof path !== 'string' || !path || path.includes('\0')) throw new GuestError('InvalidArgument', `"${path}" is not a valid path`);
    if (this.os === 'windows') {
      const p = path.replace(/^\\\\\?\\/, '').replace(/\//g, '\\');
      const m = /^([a-zA-Z]):\\(.*)$/.exec(p);
      if (!m) throw new GuestError('InvalidArgument', `"${path}" is not an absolute Windows path`);
      const parts = resolve(m[2]!.split('\\'));
      if (parts.some((x) => /[<>:"|?*]/.test(x))) throw new GuestError('InvalidArgument', `"${path}" has characters Windows does not allow in a name`);
      return `${m[1]!.toUpperCase()}:\\${parts.join('\\')}`;
    }
    if (!path.startsWith('/')) throw new GuestError('InvalidArgument', `"${path}" is not an absolute path`);
    return `/${resolve(path.split('/')).join('/')}`;
  }

  private key(path: string): string {
    const p = this.normalize(path);
    return this.os === 'windows' ? p.toLowerCase() : p;
  }

  private parentOf(path: string): string | undefined {
    const p = this.normalize(path);
    const root = this.os === 'windows' ? p.slice(0, 3) : '/';
    if (p === root) return undefined;
    const i = p.lastIndexOf(this.separator);
    return i < root.length ? root : p.slice(0, i);
  }

  private baseName(path: string): string {
    const p = this.normalize(path);
    return p.slice(p.lastIndexOf(this.separator) + 1) || p;
  }

  private children(dir: string): Entry[] {
    const k = this.key(dir);
    const prefix = k.endsWith(this.os === 'windows' ? '\\' : '/') ? k : k + this.separator;
    return [...this.entries].filter(([x]) => x.startsWith(prefix) && x.length > prefix.length && !x.slice(prefix.length).includes(this.separator)).map(([, e]) => e);
  }

  /** Makes the parent directories of `path` (uploads create them, as injecting a tool into a new folder needs). */
  private ensureParents(path: string): void {
    const parent = this.parentOf(path);
    if (!parent) return;
    const e = this.entries.get(this.key(parent));
    if (e?.type === 'file') throw new GuestError('NotADirectory', `${e.path} is not a directory`);
    if (!e) {
      this.ensureParents(parent);
      this.entries.set(this.key(parent), { path: this.normalize(parent), type: 'directory', modified: new Date() });
    }
  }

  /** Checks a path an upload will write (at initiation, so the later PUT cannot fail on it). */
  checkWritable(path: string, overwrite: boolean): void {
    const e = this.entries.get(this.key(path));
    if (e?.type === 'directory') throw new GuestError('NotAFile', `${e.path} is a directory`);
    if (e && !overwrite) throw new GuestError('FileAlreadyExists', `${e.path} already exists`);
    for (let p = this.parentOf(path); p; p = this.parentOf(p)) {
      const x = this.entries.get(this.key(p));
      if (x?.type === 'file') throw new GuestError('NotADirectory', `${x.path} is not a directory`);
    }
  }

  put(path: string, data: Buffer, overwrite: boolean): void {
    this.checkWritable(path, overwrite);
    this.ensureParents(path);
    this.entries.set(this.key(path), { path: this.normalize(path), type: 'file', data: Buffer.from(data), modified: new Date() });
  }

  get(path: string): Buffer | undefined {
    const e = this.entries.get(this.key(path));
    return e?.type === 'file' ? e.data : undefined;
  }

  stat(path: string): GuestFileEntry | undefined {
    const e = this.entries.get(this.key(path));
    return e && entryOf(e, this.baseName(e.path));
  }

  list(path: string): GuestFileEntry[] {
    const e = this.entries.get(this.key(path));
    if (!e) throw new GuestError('FileNotFound', `${path} was not found`);
    if (e.type === 'file') return [entryOf(e, this.baseName(e.path))];
    return this.children(path)
      .map((c) => entryOf(c, this.baseName(c.path)))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  mkdir(path: string, parents: boolean): void {
    const k = this.key(path);
    const e = this.entries.get(k);
    if (e) throw new GuestError('FileAlreadyExists', `${e.path} already exists`);
    const parent = this.parentOf(path);
    const pe = parent ? this.entries.get(this.key(parent)) : undefined;
    if (parent && !pe && !parents) throw new GuestError('FileNotFound', `${parent} was not found`);
    if (pe?.type === 'file') throw new GuestError('NotADirectory', `${pe.path} is not a directory`);
    this.ensureParents(path);
    this.entries.set(k, { path: this.normalize(path), type: 'directory', modified: new Date() });
  }

  deleteFile(path: string): void {
    const e = this.entries.get(this.key(path));
    if (!e) throw new GuestError('FileNotFound', `${path} was not found`);
    if (e.type !== 'file') throw new GuestError('NotAFile', `${e.path} is a directory`);
    this.entries.delete(this.key(path));
  }

  deleteDirectory(path: string, recursive: boolean): void {
    const k = this.key(path);
    const e = this.entries.get(k);
    if (!e) throw new GuestError('FileNotFound', `${path} was not found`);
    if (e.type !== 'directory') throw new GuestError('NotADirectory', `${e.path} is not a directory`);
    if (this.protectedKeys.has(k)) throw new GuestError('GuestPermissionDenied', `Access to ${e.path} is denied`);
    const below = this.below(k);
    if (below.length && !recursive) throw new GuestError('DirectoryNotEmpty', `${e.path} is not empty`);
    for (const x of below) if (this.protectedKeys.has(x)) throw new GuestError('GuestPermissionDenied', `Access to ${this.entries.get(x)!.path} is denied`);
    for (const x of below) this.entries.delete(x);
    this.entries.delete(k);
  }

  move(src: string, dst: string, overwrite: boolean, kind: 'file' | 'directory'): void {
    const sk = this.key(src);
    const e = this.entries.get(sk);
    if (!e) throw new GuestError('FileNotFound', `${src} was not found`);
    if (e.type !== kind) throw new GuestError(kind === 'file' ? 'NotAFile' : 'NotADirectory', `${e.path} is not a ${kind}`);
    if (this.protectedKeys.has(sk)) throw new GuestError('GuestPermissionDenied', `Access to ${e.path} is denied`);
    const dk = this.key(dst);
    if (dk === sk) return;
    const d = this.entries.get(dk);
    if (d && (kind === 'directory' || !overwrite || d.type === 'directory')) throw new GuestError('FileAlreadyExists', `${d.path} already exists`);
    if (kind === 'directory' && dk.startsWith(sk + this.separator)) throw new GuestError('InvalidArgument', `cannot move ${e.path} into itself`);
    const parent = this.parentOf(dst);
    const pe = parent ? this.entries.get(this.key(parent)) : undefined;
    if (parent && !pe) throw new GuestError('FileNotFound', `${parent} was not found`);
    if (pe?.type === 'file') throw new GuestError('NotADirectory', `${pe.path} is not a directory`);
    const to = this.normalize(dst);
    for (const x of [sk, ...this.below(sk)]) {
      const old = this.entries.get(x)!;
      this.entries.delete(x);
      const path = to + old.path.slice(e.path.length);
      this.entries.set(this.key(path), { ...old, path });
    }
  }

  /** A new, empty file or directory with a unique name in `dir` (the guest's temp directory by default). */
  createTemp(prefix: string, suffix: string, dir: string | undefined, kind: 'file' | 'directory'): string {
    const parent = dir || TEMP_DIR[this.os];
    const pe = this.entries.get(this.key(parent));
    if (!pe) throw new GuestError('FileNotFound', `${parent} was not found`);
    if (pe.type !== 'directory') throw new GuestError('NotADirectory', `${pe.path} is not a directory`);
    for (;;) {
      const path = `${pe.path.endsWith(this.separator) ? pe.path : pe.path + this.separator}${prefix}${randomBytes(4).toString('hex')}${suffix}`;
      if (this.entries.has(this.key(path))) continue;
      this.entries.set(this.key(path), { path, type: kind, data: kind === 'file' ? Buffer.alloc(0) : undefined, modified: new Date() });
      return path;
    }
  }

  isSystemProgram(path: string): boolean {
    const k = this.key(path);
    return SYSTEM_PROGRAMS[this.os].some((p) => this.key(p) === k);
  }

  private below(k: string): string[] {
    const prefix = k.endsWith(this.separator) ? k : k + this.separator;
    return [...this.entries.keys()].filter((x) => x.startsWith(prefix));
  }
}

/** Path components with "." dropped and ".." applied (never above the root, as the OS does). */
function resolve(parts: string[]): string[] {
  const out: string[] = [];
  for (const p of parts) {
    if (p === '' || p === '.') continue;
    if (p === '..') out.pop();
    else out.push(p);
  }
  return out;
}

function entryOf(e: Entry, name: string): GuestFileEntry {
  return { path: e.path, name, type: e.type, size: e.data?.length ?? 0, modified: e.modified };
}
