import { data, type DataObject, type MoRef } from '../../core/codecs/vim25/index.ts';
import type { CallContext, SoapEngine } from '../engine.ts';
import { ManagedObject } from '../managed-object.ts';
import type { Args } from '../soap/args.ts';
import { Faults, VimFault } from '../soap/faults.ts';
import { guestTransfersOf } from '../../esxi/hostagent/transfers.ts';
import { guestAccess, guestFault } from './guest-access.ts';

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
    return `https://${name}:443/guestFile?id=${id}&token=${encodeURIComponent(token)}`;
  }

  private hostComponent(hostMoid: string): string {
    return this.engine.world.inventory.hosts.find((h) => h.moid === hostMoid)?.component ?? '';
  }

  InitiateFileTransferToGuest(args: Args, _call: CallContext): string {
    const access = guestAccess(this.engine, args.ref('vm', 'VirtualMachine'), args.raw.auth);
    const path = args.str('guestFilePath');
    const size = args.int('fileSize');
    const overwrite = args.bool('overwrite');
    if (!path) throw Faults.invalidArgument('guestFilePath');
    if (size < 0) throw Faults.invalidArgument('fileSize');
    if (!overwrite && access.guest.getFile(path)) throw new VimFault('FileAlreadyExists', `File ${path} already exists`, { file: path });
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
    const access = guestAccess(this.engine, args.ref('vm', 'VirtualMachine'), args.raw.auth);
    const path = args.str('guestFilePath');
    const content = access.guest.getFile(path);
    if (!content) throw Faults.fileFault(path, `File ${path} was not found`);
    const t = guestTransfersOf(this.engine.world).create({
      vm: access.vm.spec.moid,
      hostComponent: this.hostComponent(access.vm.spec.host),
      path,
      direction: 'from-guest',
      overwrite: false,
    });
    return data('FileTransferInformation', {
      attributes: data(access.vm.spec.guestFamily === 'windowsGuest' ? 'GuestWindowsFileAttributes' : 'GuestPosixFileAttributes', {}),
      size: content.length,
      url: this.url(access.vm.spec.host, t.id, t.token),
    });
  }
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
