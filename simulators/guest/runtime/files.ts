import { GuestError } from '../contract.ts';
import type { GuestOs } from '../../core/codecs/guest-bundle.ts';

/** Programs every guest of a family has without anyone uploading them. */
const SYSTEM_PROGRAMS: Record<GuestOs, string[]> = {
  windows: ['C:\\Windows\\System32\\cmd.exe', 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe', 'C:\\Windows\\System32\\whoami.exe'],
  linux: ['/bin/sh', '/bin/bash', '/usr/bin/env', '/usr/bin/whoami'],
};

/** The guest's file system as guest operations see it: absolute paths, case-insensitive on Windows. */
export class FileStore {
  private readonly files = new Map<string, Buffer>();

  constructor(readonly os: GuestOs) {}

  private key(path: string): string {
    if (this.os === 'windows') {
      if (!/^[a-zA-Z]:[\\/]/.test(path)) throw new GuestError('InvalidArgument', `"${path}" is not an absolute Windows path`);
      return path.replace(/\//g, '\\').toLowerCase();
    }
    if (!path.startsWith('/')) throw new GuestError('InvalidArgument', `"${path}" is not an absolute path`);
    return path.replace(/\/+/g, '/');
  }

  put(path: string, data: Buffer, overwrite: boolean): void {
    const k = this.key(path);
    if (!overwrite && this.files.has(k)) throw new GuestError('FileAlreadyExists', `${path} already exists`);
    this.files.set(k, Buffer.from(data));
  }

  get(path: string): Buffer | undefined {
    return this.files.get(this.key(path));
  }

  isSystemProgram(path: string): boolean {
    const k = this.key(path);
    return SYSTEM_PROGRAMS[this.os].some((p) => this.key(p) === k);
  }
}
