/**
 * What the rest of the lab asks of a guest: the vCenter/ESXi guest-operations code (file transfer,
 * programs, processes) and power changes. The guest room implements it; in-guest services
 * (guestossvc 3542, the SQL plugin 3545) start through startProgram like on a real VM.
 */
export interface GuestProcess {
  pid: number;
  name: string;
  owner: string;
  cmdLine: string;
  startTime: Date;
  endTime?: Date;
  exitCode?: number;
}

/** Errors map to vim faults: FileNotFound, GuestPermissionDenied, GuestProcessNotFound, GuestOperationsUnavailable, InvalidGuestLogin. */
export class GuestError extends Error {
  constructor(
    readonly fault: 'FileNotFound' | 'FileAlreadyExists' | 'NotAFile' | 'NotADirectory' | 'DirectoryNotEmpty' | 'GuestPermissionDenied' | 'GuestProcessNotFound' | 'GuestOperationsUnavailable' | 'InvalidGuestLogin' | 'InvalidArgument',
    message: string,
  ) {
    super(message);
  }
}

export interface GuestFileEntry {
  /** Absolute path in the guest's own spelling. */
  path: string;
  name: string;
  type: 'file' | 'directory';
  size: number;
  modified: Date;
}

/** The guest's directories and files (GuestFileManager); every method throws GuestError. */
export interface GuestFileSystem {
  /** The absolute form of a path, or InvalidArgument (relative, empty, characters the OS refuses). */
  normalize(path: string): string;
  /** Would an upload to `path` succeed (checked when the transfer URL is handed out)? */
  checkWritable(path: string, overwrite: boolean): void;
  stat(path: string): GuestFileEntry | undefined;
  list(path: string): GuestFileEntry[];
  mkdir(path: string, parents: boolean): void;
  deleteFile(path: string): void;
  deleteDirectory(path: string, recursive: boolean): void;
  move(src: string, dst: string, overwrite: boolean, kind: 'file' | 'directory'): void;
  createTemp(prefix: string, suffix: string, dir: string | undefined, kind: 'file' | 'directory'): string;
}

export interface GuestRuntime {
  readonly vm: string;
  readonly files: GuestFileSystem;
  putFile(path: string, data: Buffer, overwrite: boolean): void;
  getFile(path: string): Buffer | undefined;
  /** Starts a program as `user`; resolves with its pid. */
  startProgram(programPath: string, args: string, user: string): Promise<number>;
  listProcesses(pids?: number[]): GuestProcess[];
  terminate(pid: number): Promise<void>;
}

export interface GuestRuntimes {
  get(vm: string): GuestRuntime | undefined;
  /** vCenter powered a VM on or off (or created one): guests open or close their listeners. */
  powerChanged(vm: string, on: boolean): Promise<void>;
}

declare module '../world.ts' {
  interface LabWorld {
    guests: GuestRuntimes;
  }
}
