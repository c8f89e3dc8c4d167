import type { ComponentContext } from '../../core/component.ts';
import type { Listener } from '../../core/net/listen.ts';
import type { Fault } from '../../core/faults/registry.ts';
import { bundleLayout, checkExecutable, EXE_MAGIC, parseManifest, parseToken, sha256Hex, type GuestOs, type InjectedProgram } from '../../core/codecs/guest-bundle.ts';
import type { VmSpec } from '../../inventory/types.ts';
import { GuestError, type GuestProcess, type GuestRuntime } from '../contract.ts';
import { startRdpProbe } from '../probes/rdp.ts';
import { startSshProbe } from '../probes/ssh.ts';
import { guestWriters, type Writer } from '../plugin/vss.ts';
import type { SqlServerModel } from '../sql/server.ts';
import { Guestossvc } from '../guestossvc/service.ts';
import { FileStore } from './files.ts';
import { ProcessTable } from './processes.ts';

/** Exit codes the guest reports for programs that could not run. */
const BAD_IMAGE: Record<GuestOs, number> = { windows: 193, linux: 126 };
const CRASHED = 3221225477; // 0xC0000005, an access violation: what a crashed Windows service reports
const TERMINATED = 1;

export interface GuestEnv {
  spec(): VmSpec;
  fault(type: string, consume?: boolean): Fault | undefined;
  sql(): SqlServerModel | undefined;
  /** Where the plugin binds inside this guest, and whether the lab runs everything on one address. */
  pluginAddress(): { address: string; port: number; singleHost: boolean };
  /** Start this guest's component (a VM powered on that had none). */
  addComponent(): Promise<void>;
}

/**
 * One VM's guest as guest operations see it: files, processes, and the services that injected
 * programs become. Created on first use; a powered-on VM that nobody touches costs only its probe.
 */
export class LabGuestRuntime implements GuestRuntime {
  readonly os: GuestOs;
  readonly files: FileStore;
  private procs?: ProcessTable;
  private ctx?: ComponentContext<unknown>;
  private probe?: Listener;
  private svc?: Guestossvc;
  private writerList?: Writer[];

  constructor(
    readonly vm: string,
    private readonly env: GuestEnv,
  ) {
    this.os = env.spec().guestFamily === 'windowsGuest' ? 'windows' : 'linux';
    this.files = new FileStore(this.os);
  }

  private get processes(): ProcessTable {
    this.procs ??= new ProcessTable(this.os, this.env.spec().sqlServer ? [['sqlservr.exe', 'NT Service\\MSSQLSERVER'], ['sqlwriter.exe', 'NT AUTHORITY\\SYSTEM']] : []);
    return this.procs;
  }

  /** VSS writers live with the OS (they keep their state across plugin restarts). */
  get writers(): Writer[] {
    this.writerList ??= guestWriters(this.os === 'windows', !!this.env.spec().sqlServer);
    return this.writerList;
  }

  /** The component started: open the probe of this guest's OS family. */
  async attach(ctx: ComponentContext<unknown>): Promise<void> {
    this.ctx = ctx;
    if (this.env.spec().powerState === 'poweredOn') await this.openProbe();
  }

  private async openProbe(): Promise<void> {
    if (!this.ctx || this.probe) return;
    const t = this.ctx.timeouts;
    this.probe = this.os === 'windows' ? await startRdpProbe(this.ctx, { requestTimeoutMs: t.rdpRequestMs }) : await startSshProbe(this.ctx, undefined, { identTimeoutMs: t.sshIdentMs });
  }

  async detach(): Promise<void> {
    await this.svc?.stop(TERMINATED).catch(() => {});
    this.svc = undefined;
    this.ctx = undefined;
    this.probe = undefined;
  }

  private checkAvailable(): void {
    const spec = this.env.spec();
    if (spec.powerState !== 'poweredOn') throw new GuestError('GuestOperationsUnavailable', `${this.vm} is ${spec.powerState}`);
    if (!spec.toolsRunning) throw new GuestError('GuestOperationsUnavailable', `VMware Tools is not running in ${this.vm}`);
    const f = this.env.fault('guest-credentials-rejected');
    if (f) throw new GuestError('InvalidGuestLogin', String(f.params.message ?? `the guest OS of ${this.vm} rejected the credentials (logon failure: unknown user name or bad password)`));
  }

  putFile(path: string, data: Buffer, overwrite: boolean): void {
    this.checkAvailable();
    this.files.put(path, data, overwrite);
  }

  getFile(path: string): Buffer | undefined {
    return this.files.get(path);
  }

  listProcesses(pids?: number[]): GuestProcess[] {
    this.checkAvailable();
    return this.processes.list(pids);
  }

  async startProgram(programPath: string, args: string, user: string): Promise<number> {
    this.checkAvailable();
    const data = this.files.get(programPath);
    if (!data && !this.files.isSystemProgram(programPath)) throw new GuestError('FileNotFound', `${programPath} was not found in the guest`);
    const name = programPath.split(/[\\/]/).pop()!;
    const cmdLine = `"${programPath}"${args ? ' ' + args : ''}`;
    const proc = this.processes.spawn(name, cmdLine, user);
    if (!data) {
      this.processes.exit(proc.pid, 0);
      return proc.pid;
    }
    const program = programOf(data);
    if (program === 'guestossvc') await this.startGuestossvc(proc, programPath);
    else this.exit(proc, BAD_IMAGE[this.os], program === 'PhoenixSQLGuestPlugin' ? 'PhoenixSQLGuestPlugin runs only under guestossvc' : `${programPath} is not a valid executable image`);
    return proc.pid;
  }

  private exit(proc: GuestProcess, code: number, reason: string): void {
    this.processes.exit(proc.pid, code);
    this.ctx?.trace.emit({ kind: 'error', from: this.ctx.name, to: this.ctx.name, port: 0, protocol: 'guest', summary: `${proc.name} (pid ${proc.pid}) exited ${code}: ${reason}` });
  }

  /** guestossvc starts only if its files are there and intact, and the token file is valid. */
  private async startGuestossvc(proc: GuestProcess, programPath: string): Promise<void> {
    const ctx = this.ctx;
    if (!ctx) return this.exit(proc, TERMINATED, 'guest has no network yet');
    if (this.svc) return this.exit(proc, TERMINATED, 'another guestossvc is already listening on 3542');
    const layout = bundleLayout(this.os);
    const check = checkExecutable(this.files.get(programPath), 'guestossvc');
    if (!check.ok) return this.exit(proc, BAD_IMAGE[this.os], `${programPath}: ${check.reason}`);
    const manifest = parseManifest(this.files.get(layout.manifest));
    if (!manifest) return this.exit(proc, 2, `manifest ${layout.manifest} missing or unreadable`);
    for (const f of manifest.files) {
      const got = this.files.get(f.path);
      if (!got) return this.exit(proc, 2, `${f.path} listed in the manifest is missing`);
      if (sha256Hex(got) !== f.sha256) return this.exit(proc, 2, `${f.path} does not match its manifest checksum`);
    }
    const token = parseToken(this.files.get(layout.token));
    if (!token) return this.exit(proc, 2, `token file ${layout.token} missing or invalid`);
    const down = this.env.fault('guestossvc-down');
    if (down) return this.exit(proc, Number(down.params.exitCode ?? 1067), 'guestossvc terminated unexpectedly (guestossvc-down)');
    const bind = this.env.pluginAddress();
    const svc = new Guestossvc({
      ctx,
      vm: this.vm,
      windows: this.os === 'windows',
      layout,
      files: this.files,
      processes: this.processes,
      writers: this.writers,
      sql: () => this.env.sql(),
      fault: (t, consume) => this.env.fault(t, consume),
      pluginBind: {
        address: bind.address,
        port: bind.port,
        localAddress: bind.singleHost ? undefined : ctx.address,
        allowPeer: (a) => a === (bind.singleHost ? '127.0.0.1' : ctx.address),
      },
      token,
      pid: proc.pid,
      version: check.header.version,
    });
    this.svc = svc;
    (proc as GuestProcess & { onTerminate?: () => Promise<void> }).onTerminate = () => this.stopService(TERMINATED);
    try {
      await svc.start();
    } catch (err) {
      this.svc = undefined;
      await svc.stop(1).catch(() => {});
      this.exit(proc, 1, `cannot start: ${(err as Error).message}`);
    }
  }

  private async stopService(code: number): Promise<void> {
    const svc = this.svc;
    this.svc = undefined;
    await svc?.stop(code);
  }

  async terminate(pid: number): Promise<void> {
    this.checkAvailable();
    const p = this.processes.running(pid);
    if (!p) throw new GuestError('GuestProcessNotFound', `no running process ${pid} in ${this.vm}`);
    if (p.onTerminate) await p.onTerminate();
    this.processes.exit(pid, TERMINATED);
  }

  /** guestossvc-down set while it runs: the service crashes and its port closes. */
  async crashService(): Promise<void> {
    if (!this.svc) return;
    await this.stopService(CRASHED);
  }

  async power(on: boolean): Promise<void> {
    if (on) {
      if (!this.ctx) return this.env.addComponent();
      this.procs = undefined;
      await this.openProbe();
      return;
    }
    await this.stopService(TERMINATED);
    this.procs = undefined;
    if (this.ctx && this.probe) await this.ctx.unlisten(this.probe);
    this.probe = undefined;
  }
}

function programOf(data: Buffer): InjectedProgram | undefined {
  if (data.subarray(0, EXE_MAGIC.length).toString('latin1') !== EXE_MAGIC) return undefined;
  const nl = data.indexOf(0x0a, EXE_MAGIC.length);
  try {
    return (JSON.parse(data.subarray(EXE_MAGIC.length, nl).toString('utf8')) as { program: InjectedProgram }).program;
  } catch {
    return undefined;
  }
}
