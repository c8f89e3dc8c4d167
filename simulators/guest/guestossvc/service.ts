import { randomBytes } from 'node:crypto';
import type { ComponentContext } from '../../core/component.ts';
import type { Listener } from '../../core/net/listen.ts';
import { mswRequestHandler } from '../../core/net/msw-adapter.ts';
import { checkExecutable, type BundleLayout } from '../../core/codecs/guest-bundle.ts';
import { GUESTOSSVC_PORT, PLUGIN_PORT } from '../../core/codecs/guest-api.ts';
import type { Fault } from '../../core/faults/registry.ts';
import { ApiError, serveOptions } from '../api-error.ts';
import { PluginService } from '../plugin/service.ts';
import { pluginHandlers } from '../plugin/handlers.ts';
import { listenInternalHttps } from '../plugin/listener.ts';
import type { Writer } from '../plugin/vss.ts';
import type { SqlServerModel } from '../sql/server.ts';
import type { FileStore } from '../runtime/files.ts';
import type { ProcessTable } from '../runtime/processes.ts';
import { Operations } from './operations.ts';
import { guestossvcHandlers } from './handlers.ts';
import { PluginClient } from './plugin-client.ts';

export interface GuestossvcDeps {
  ctx: ComponentContext<unknown>;
  vm: string;
  windows: boolean;
  layout: BundleLayout;
  files: FileStore;
  processes: ProcessTable;
  writers: Writer[];
  sql(): SqlServerModel | undefined;
  fault(type: string, consume?: boolean): Fault | undefined;
  /** Where the plugin binds: the guest's internal loopback, and which peer it admits. */
  pluginBind: { address: string; port: number; allowPeer(address: string): boolean; localAddress?: string };
  token: string;
  pid: number;
  version: string;
}

interface RunningPlugin {
  pid: number;
  listener: Listener;
  service: PluginService;
  client: PluginClient;
}

/**
 * A running guestossvc: its 3542 listener, the operations it tracks, and the plugin it starts
 * (and restarts on demand if it died) on 3545.
 */
export class Guestossvc {
  private listener?: Listener;
  private plugin?: RunningPlugin;
  private pluginState: { state: 'running' | 'failed' | 'stopped'; pid?: number; exitCode?: number; reason?: string } = { state: 'stopped' };
  private starting?: Promise<PluginClient>;
  readonly ops: Operations;
  private stopped = false;

  constructor(private readonly d: GuestossvcDeps) {
    this.ops = new Operations(() => this.pluginClient());
  }

  async start(): Promise<void> {
    const handlers = guestossvcHandlers(this.d.token, this.ops, () => this.pluginClient(), {
      vm: this.d.vm,
      hostname: this.d.ctx.hostname,
      version: this.d.version,
      pid: this.d.pid,
      plugin: () => ({ ...this.pluginState }),
    });
    this.listener = await this.d.ctx.listenHttps({ listener: 'guestossvc', realPort: GUESTOSSVC_PORT, protocol: 'https/guestossvc', scheme: 'https', path: '/api/v1/status' }, mswRequestHandler(handlers, serveOptions));
    await this.pluginClient().catch(() => {});
  }

  /** The plugin's client, starting the plugin when it is not running. */
  pluginClient(): Promise<PluginClient> {
    if (this.plugin) return Promise.resolve(this.plugin.client);
    if (this.stopped) return Promise.reject(new ApiError(503, { code: 'guestossvc-stopping', message: 'guestossvc is stopping' }));
    this.starting ??= this.startPlugin().finally(() => (this.starting = undefined));
    return this.starting;
  }

  private async startPlugin(): Promise<PluginClient> {
    const { ctx, processes, layout } = this.d;
    const exe = layout.plugin;
    const name = exe.split(/[\\/]/).pop()!;
    const proc = processes.spawn(name, `"${exe}" --port ${PLUGIN_PORT} --parent ${this.d.pid}`, this.d.windows ? 'NT AUTHORITY\\SYSTEM' : 'root', () => this.stopPlugin(1));
    const failed = (exitCode: number, reason: string): never => {
      processes.exit(proc.pid, exitCode);
      this.pluginState = { state: 'failed', pid: proc.pid, exitCode, reason };
      ctx.trace.emit({ kind: 'error', from: ctx.name, to: ctx.name, port: PLUGIN_PORT, protocol: 'https/sqlplugin', summary: `PhoenixSQLGuestPlugin (pid ${proc.pid}) exited ${exitCode}: ${reason}` });
      throw new ApiError(503, { code: 'plugin-unavailable', message: `PhoenixSQLGuestPlugin is not running: ${reason} (exit code ${exitCode})` });
    };
    const check = checkExecutable(this.d.files.get(exe), 'PhoenixSQLGuestPlugin');
    if (!check.ok) return failed(this.d.windows ? 193 : 126, `${exe}: ${check.reason}`);
    const f = this.d.fault('sql-plugin-not-starting');
    if (f) return failed(Number(f.params.exitCode ?? 1067), String(f.params.reason ?? 'the process terminated unexpectedly (SQL Server VSS Writer service is not running)'));
    const key = randomBytes(32).toString('hex');
    const service = new PluginService({ sql: this.d.sql(), writers: this.d.writers, fault: this.d.fault });
    let listener: Listener;
    try {
      listener = await listenInternalHttps(ctx, { listener: 'sqlplugin', realPort: PLUGIN_PORT, protocol: 'https/sqlplugin', bindAddress: this.d.pluginBind.address, port: this.d.pluginBind.port, allowPeer: this.d.pluginBind.allowPeer }, mswRequestHandler(pluginHandlers(service, this.d.writers, key), serveOptions));
    } catch (err) {
      return failed(10048, `cannot listen on ${PLUGIN_PORT}: ${(err as Error).message}`);
    }
    const client = new PluginClient({ host: this.d.pluginBind.address, port: listener.identity.port, localAddress: this.d.pluginBind.localAddress, servername: ctx.hostname, ca: ctx.ca.cert, key });
    this.plugin = { pid: proc.pid, listener, service, client };
    this.pluginState = { state: 'running', pid: proc.pid };
    return client;
  }

  /** The plugin stops (terminated, or with guestossvc): its port closes, its VSS sessions end. */
  async stopPlugin(exitCode: number): Promise<void> {
    const p = this.plugin;
    if (!p) return;
    this.plugin = undefined;
    p.service.stop();
    p.client.close();
    await p.listener.close();
    this.d.processes.exit(p.pid, exitCode);
    this.pluginState = { state: 'stopped', pid: p.pid, exitCode };
  }

  async stop(exitCode: number): Promise<void> {
    this.stopped = true;
    this.ops.stop();
    await this.starting?.catch(() => {});
    await this.stopPlugin(exitCode);
    if (this.listener) await this.d.ctx.unlisten(this.listener);
    this.listener = undefined;
    this.d.processes.exit(this.d.pid, exitCode);
  }
}
