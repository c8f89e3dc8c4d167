import { data, type DataObject, type MoRef } from '../../core/codecs/vim25/index.ts';
import type { CallContext, SoapEngine } from '../engine.ts';
import { ManagedObject } from '../managed-object.ts';
import type { Args } from '../soap/args.ts';
import { Faults } from '../soap/faults.ts';
import { guestTransfersOf } from '../../esxi/hostagent/transfers.ts';
import { hostHttpsPort } from '../host-port.ts';
import { guestAccess, guestFault, inGuest, type GuestAccess } from './guest-access.ts';
import { GuestError, type GuestFileEntry } from '../../guest/contract.ts';

export class GuestOperationsManager extends ManagedObject {
  constructor(engine: SoapEngine, id: string, fileManager: MoRef, processManager: MoRef) {
    super(engine, 'GuestOperationsManager', id);
    this.expose({ fileManager: () => fileManager, processManager: () => processManager });
  }
}

/** Guest file transfers: URLs to the VM's host `/guestFile` ("*" as the host when asked of the host itself). */
export class GuestFileManager extends ManagedObject {
  constructor(engine: SoapEngine, id: string) {
    super(engine, 'GuestFileManager', id);
  }

  private url(hostMoid: string, id: string, token: string): string {
    const host = this.engine.world.inventory.hosts.find((h) => h.moid === hostMoid);
    const name = this.engine.flavor === 'esxi' || !host ? '*' : host.name;
    return `https://${name}:${hostHttpsPort(this.engine, host?.component)}/guestFile?id=${id}&token=${encodeURIComponent(token)}`;
  }

  /** The VM, power, Tools and credential checks every call makes first. */
  private access(args: Args): GuestAccess {
    return guestAccess(this.engine, args.ref('vm', 'VirtualMachine'), args.raw.auth);
  }

  private hostComponent(hostMoid: string): string {
    return this.engine.world.inventory.hosts.find((h) => h.moid === hostMoid)?.component ?? '';
  }

  InitiateFileTransferToGuest(args: Args, _call: CallContext): string {
    const access = this.access(args);
    const given = args.str('guestFilePath');
    const size = args.int('fileSize');
    const overwrite = args.bool('overwrite');
    if (size < 0) throw Faults.invalidArgument('fileSize');
    // Checked now, with the guest's fault, so the later PUT has nothing left to refuse but its size.
    const path = inGuest(() => access.guest.files.normalize(given), given, 'guestFilePath');
    inGuest(() => access.guest.files.checkWritable(path, overwrite), path, 'guestFilePath');
    const t = guestTransfersOf(this.engine.world).create({
      vm: access.vm.spec.moid,
      hostComponent: this.hostComponent(access.vm.spec.host),
      path,
      direction: 'to-guest',
      size,
      overwrite,
    });
    return this.url(access.vm.spec.host, t.id, t.token);
  }

  InitiateFileTransferFromGuest(args: Args, _call: CallContext): DataObject {
    const access = this.access(args);
    const given = args.str('guestFilePath');
    const entry = inGuest(() => access.guest.files.stat(given), given, 'guestFilePath');
    if (!entry) throw guestFault(new GuestError('FileNotFound', `File ${given} was not found`), { file: given });
    if (entry.type !== 'file') throw guestFault(new GuestError('NotAFile', `${entry.path} is a directory`), { file: entry.path });
    const t = guestTransfersOf(this.engine.world).create({
      vm: access.vm.spec.moid,
      hostComponent: this.hostComponent(access.vm.spec.host),
      path: entry.path,
      direction: 'from-guest',
      overwrite: false,
    });
    return data('FileTransferInformation', {
      attributes: fileAttributes(access.vm.spec.guestFamily, entry),
      size: entry.size,
      url: this.url(access.vm.spec.host, t.id, t.token),
    });
  }

  ListFilesInGuest(args: Args): DataObject {
    const access = this.access(args);
    const path = args.str('filePath');
    const index = args.optInt('index') ?? 0;
    const max = args.optInt('maxResults') ?? 50;
    const pattern = args.optStr('matchPattern');
    if (index < 0) throw Faults.invalidArgument('index');
    if (max <= 0) throw Faults.invalidArgument('maxResults');
    let re: RegExp | undefined;
    try {
      re = pattern ? new RegExp(pattern) : undefined;
    } catch {
      throw Faults.invalidArgument('matchPattern');
    }
    const all = inGuest(() => access.guest.files.list(path), path, 'filePath').filter((e) => !re || re.test(e.name));
    const page = all.slice(index, index + max);
    return data('GuestListFileInfo', {
      files: page.map((e) => data('GuestFileInfo', { path: e.name, type: e.type, size: e.size, attributes: fileAttributes(access.vm.spec.guestFamily, e) })),
      remaining: Math.max(0, all.length - index - page.length),
    });
  }

  MakeDirectoryInGuest(args: Args): void {
    const access = this.access(args);
    const path = args.str('directoryPath');
    inGuest(() => access.guest.files.mkdir(path, args.bool('createParentDirectories')), path, 'directoryPath');
  }

  DeleteFileInGuest(args: Args): void {
    const access = this.access(args);
    const path = args.str('filePath');
    inGuest(() => access.guest.files.deleteFile(path), path, 'filePath');
  }

  DeleteDirectoryInGuest(args: Args): void {
    const access = this.access(args);
    const path = args.str('directoryPath');
    inGuest(() => access.guest.files.deleteDirectory(path, args.bool('recursive')), path, 'directoryPath');
  }

  CreateTemporaryFileInGuest(args: Args): string {
    return this.temp(args, 'file');
  }

  CreateTemporaryDirectoryInGuest(args: Args): string {
    return this.temp(args, 'directory');
  }

  private temp(args: Args, kind: 'file' | 'directory'): string {
    const access = this.access(args);
    const dir = args.optStr('directoryPath') || undefined;
    return inGuest(() => access.guest.files.createTemp(args.str('prefix'), args.str('suffix'), dir, kind), dir ?? '', 'directoryPath');
  }

  MoveFileInGuest(args: Args): void {
    const access = this.access(args);
    const src = args.str('srcFilePath');
    inGuest(() => access.guest.files.move(src, args.str('dstFilePath'), args.bool('overwrite'), 'file'), src, 'srcFilePath');
  }

  MoveDirectoryInGuest(args: Args): void {
    const access = this.access(args);
    const src = args.str('srcDirectoryPath');
    inGuest(() => access.guest.files.move(src, args.str('dstDirectoryPath'), false, 'directory'), src, 'srcDirectoryPath');
  }
}

function fileAttributes(family: string, e: GuestFileEntry): DataObject {
  return family === 'windowsGuest'
    ? data('GuestWindowsFileAttributes', { modificationTime: e.modified, accessTime: e.modified, hidden: false, readOnly: false, createTime: e.modified })
    : data('GuestPosixFileAttributes', { modificationTime: e.modified, accessTime: e.modified, ownerId: 0, groupId: 0, permissions: e.type === 'directory' ? 0o755 : 0o644 });
}

export class GuestProcessManager extends ManagedObject {
  constructor(engine: SoapEngine, id: string) {
    super(engine, 'GuestProcessManager', id);
  }

  async StartProgramInGuest(args: Args): Promise<number> {
    const access = guestAccess(this.engine, args.ref('vm', 'VirtualMachine'), args.raw.auth);
    const spec = args.obj('spec');
    const program = typeof spec.programPath === 'string' ? spec.programPath : '';
    const argLine = typeof spec.arguments === 'string' ? spec.arguments : '';
    if (!program) throw Faults.invalidArgument('spec.programPath');
    try {
      return await access.guest.startProgram(program, argLine, access.user);
    } catch (err) {
      throw guestFault(err, { file: program });
    }
  }

  ListProcessesInGuest(args: Args): DataObject[] {
    const access = guestAccess(this.engine, args.ref('vm', 'VirtualMachine'), args.raw.auth);
    const pids = args.list('pids').map((p) => Number(p));
    if (pids.some((p) => !Number.isInteger(p))) throw Faults.invalidRequest('pids must be integers');
    return access.guest.listProcesses(pids.length ? pids : undefined).map((p) =>
      data('GuestProcessInfo', {
        name: p.name,
        pid: p.pid,
        owner: p.owner,
        cmdLine: p.cmdLine,
        startTime: p.startTime,
        endTime: p.endTime,
        exitCode: p.exitCode,
      }),
    );
  }

  async TerminateProcessInGuest(args: Args): Promise<void> {
    const access = guestAccess(this.engine, args.ref('vm', 'VirtualMachine'), args.raw.auth);
    const pid = args.int('pid');
    try {
      await access.guest.terminate(pid);
    } catch (err) {
      throw guestFault(err, { pid });
    }
  }
}
