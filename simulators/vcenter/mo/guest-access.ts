import { isXObject, type MoRef, type XValue } from '../../core/codecs/vim25/index.ts';
import { GuestError, type GuestRuntime } from '../../guest/contract.ts';
import type { SoapEngine } from '../engine.ts';
import { Faults, VimFault } from '../soap/faults.ts';
import type { VmState } from '../state.ts';
import { VirtualMachine } from './virtual-machine.ts';

export interface GuestAccess {
  vm: VmState;
  guest: GuestRuntime;
  user: string;
}

/** The checks every guest operation makes, in vCenter's order: VM, power, Tools, credentials. */
export function guestAccess(engine: SoapEngine, vmRef: MoRef, auth: XValue | undefined): GuestAccess {
  const mo = engine.require(vmRef);
  if (!(mo instanceof VirtualMachine)) throw Faults.invalidArgument('vm');
  const vm = mo.vm;
  if (vm.spec.powerState !== 'poweredOn') throw Faults.invalidPowerState('poweredOn', vm.spec.powerState);
  if (!mo.toolsRunning || engine.fault('guest-ops-unavailable')) throw Faults.guestOpsUnavailable();
  if (!isXObject(auth)) throw Faults.invalidArgument('auth');
  if (auth._type && auth._type !== 'NamePasswordAuthentication') throw Faults.invalidArgument('auth', `${auth._type} is not supported`);
  const want = engine.options.credentials[vm.spec.guestFamily === 'windowsGuest' ? 'guest-windows' : 'guest-linux'];
  const user = typeof auth.username === 'string' ? auth.username : '';
  const password = typeof auth.password === 'string' ? auth.password : '';
  const userOk = !!want && (vm.spec.guestFamily === 'windowsGuest' ? user.toLowerCase().replace(/^\.\\/, '') === want.user.toLowerCase() : user === want.user);
  if (engine.fault('invalid-guest-login') || !userOk || password !== want!.password) throw Faults.invalidGuestLogin();
  const guest = engine.world.guests?.get(vm.spec.moid);
  if (!guest) throw Faults.guestOpsUnavailable();
  return { vm, guest, user: want!.user };
}

const FILE_FAULTS = new Set(['FileNotFound', 'FileAlreadyExists', 'NotAFile', 'NotADirectory', 'DirectoryNotEmpty']);

/** A guest runtime error as the vim fault it stands for (`property`: the argument an InvalidArgument names). */
export function guestFault(err: unknown, detail: { file?: string; pid?: number; property?: string } = {}): unknown {
  if (!(err instanceof GuestError)) return err;
  const props: Record<string, unknown> = {};
  if (FILE_FAULTS.has(err.fault)) props.file = detail.file;
  if (err.fault === 'GuestProcessNotFound') props.pid = detail.pid;
  if (err.fault === 'InvalidArgument') props.invalidProperty = detail.property;
  return new VimFault(err.fault, err.message, props);
}

/** Runs a guest file-system call, its GuestError becoming the vim fault about `file` (argument `property`). */
export function inGuest<T>(fn: () => T, file: string, property: string): T {
  try {
    return fn();
  } catch (err) {
    throw guestFault(err, { file, property });
  }
}
