import type { MoRef } from '../../simulators/core/codecs/vim25/index.ts';
import { buildInjectionBundle, osOfGuestFamily } from '../clients/guest/bundle.ts';
import { GuestossvcClient } from '../clients/guest/guestossvc-client.ts';
import { VimFaultError, type VsphereClient } from '../clients/vsphere/index.ts';
import { str } from '../clients/vsphere/values.ts';
import { ProxyError, classify } from '../errors.ts';
import { backoff } from '../util/sleep.ts';
import type { FlowContext } from './context.ts';
import { findVm } from './find-vm.ts';

export interface GuestSession {
  vm: MoRef;
  name: string;
  ip: string;
  client: GuestossvcClient;
  pid: number;
  /** Ends the job's use of the guest: TerminateProcessInGuest closes 3542 and 3545, so nothing of the proxy stays running in the guest. */
  stop(): Promise<void>;
}

/**
 * Puts guestossvc and the SQL plugin into a guest the way the product does: check the
 * prerequisites (powered on, VMware Tools running, an IP), upload the files with
 * InitiateFileTransferToGuest + PUT /guestFile, StartProgramInGuest, then wait for 3542 to answer.
 */
export async function injectGuestServices(ctx: FlowContext, vs: VsphereClient, vmName: string): Promise<GuestSession> {
  const vm = await findVm(vs, vmName);
  const p = await vs.props(vm, ['name', 'runtime.powerState', 'guest.toolsRunningStatus', 'guest.guestFamily', 'guest.ipAddress']);
  const name = str(p.name) ?? vmName;
  if (str(p['runtime.powerState']) !== 'poweredOn') throw new ProxyError('guest', `${name} is powered off: application-aware backup needs a running VM`);
  if (str(p['guest.toolsRunningStatus']) !== 'guestToolsRunning') throw new ProxyError('guest', `VMware Tools are not running in ${name}: guest operations are unavailable`);
  const ip = str(p['guest.ipAddress']);
  if (!ip) throw new ProxyError('guest', `${name} reports no IP address`);
  const family = str(p['guest.guestFamily']) ?? 'windowsGuest';
  const os = osOfGuestFamily(family);
  const auth = os === 'windows' ? ctx.config.guest.windows : ctx.config.guest.linux;
  const guestAuth = { username: auth.user, password: auth.password };
  const bundle = buildInjectionBundle(os);
  try {
    for (const f of bundle.files) await vs.uploadToGuest(vm, guestAuth, f.path, f.data, true);
    ctx.log(`${name}: injected ${bundle.files.length} files (guestossvc, PhoenixSQLGuestPlugin, manifest, token)`);
    const pid = await vs.startProgram(vm, guestAuth, bundle.program, bundle.args);
    const client = new GuestossvcClient(ctx.net, ip, bundle.token);
    await waitUntilServing(ctx, client, vs, vm, guestAuth, pid, name);
    ctx.log(`${name}: guestossvc running (pid ${pid}) on ${ip}:3542`);
    const stop = async () => {
      client.close();
      await vs.terminateProcess(vm, guestAuth, pid).then(
        () => ctx.log(`${name}: guestossvc stopped (pid ${pid})`),
        (err: Error) => ctx.log(`${name}: could not stop guestossvc (pid ${pid}): ${err.message}`, 'warn'),
      );
    };
    return { vm, name, ip, client, pid, stop };
  } catch (err) {
    if (err instanceof VimFaultError) {
      throw new ProxyError('guest', `${name}: guest operation failed: ${err.message}`, { fault: err.faultType }, { cause: err });
    }
    // A refused /guestFile upload (the guest OS rejecting the account) is a guest failure, not an internal one.
    const e = classify(err);
    throw e.errorClass === 'internal' ? new ProxyError('guest', `${name}: injecting the guest services failed: ${e.message}`, {}, { cause: err }) : e;
  }
}

async function waitUntilServing(
  ctx: FlowContext,
  client: GuestossvcClient,
  vs: VsphereClient,
  vm: MoRef,
  auth: { username: string; password: string },
  pid: number,
  name: string,
): Promise<void> {
  const deadline = Date.now() + ctx.config.timeouts.guestStart;
  let last: unknown;
  const pause = backoff(200);
  while (Date.now() < deadline) {
    try {
      await client.status();
      return;
    } catch (err) {
      last = err;
    }
    const proc = (await vs.listProcesses(vm, auth, [pid]))[0];
    if (proc?.exitCode !== undefined) {
      throw new ProxyError('guest', `${name}: guestossvc exited with code ${proc.exitCode} before it started serving`, { exitCode: proc.exitCode });
    }
    await pause();
  }
  // It runs but does not serve: left running it would hold 3542, and the next job's guestossvc would exit 1.
  await vs.terminateProcess(vm, auth, pid).catch(() => {});
  throw new ProxyError('timeout', `${name}: guestossvc did not answer on 3542 within ${ctx.config.timeouts.guestStart} ms: ${(last as Error)?.message}`);
}
