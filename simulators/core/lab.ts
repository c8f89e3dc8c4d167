import { writeFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CertificateAuthority, defaultPkiDir, type IssuedCert } from './pki/ca.ts';
import { TraceBus } from './trace/bus.ts';
import { TraceRecorder } from './trace/recorder.ts';
import { FaultRegistry } from './faults/registry.ts';
import { NetMap } from './net/netmap.ts';
import { AddressAllocator } from './net/addressing.ts';
import { defaultPortMode, offsetPort, type PortMode } from './net/ports.ts';
import {
  listenHttps,
  listenTcp,
  listenTls,
  listenUdp,
  type Listener,
  type ListenerIdentity,
  type ListenDeps,
  type TlsMaterial,
} from './net/listen.ts';
import { thumbprints } from './pki/x509.ts';
import { resolveTimeouts, type ServerTimeouts } from './net/timeouts.ts';
import { TlsFaultCerts, tlsSourceWithFaults } from './net/tls-faults.ts';
import type { ComponentContext, ComponentHandle, ComponentSpec, ListenArgs } from './component.ts';
import type { Credentials, Endpoint } from './types.ts';

export interface CoreLabOptions {
  /** Everything on 127.0.0.1 with OS-chosen ports (macOS, or when addresses are scarce). */
  singleHost?: boolean;
  /** Real ports (443, 902...) or offset ports (10443, 10902...); default: real when this process may bind them. */
  ports?: PortMode;
  /** Loopback block "127.B.C"; default random so parallel labs never collide. */
  addressBlock?: string;
  /** Where the CA and keys are cached; default ~/.cache/bpsim/pki. */
  pkiDir?: string;
  credentials?: Record<string, Credentials>;
  trace?: TraceBus;
  /** How long a TLS client may take to finish its handshake before the connection is dropped (default 10 s). */
  tlsHandshakeTimeoutMs?: number;
  /** Server timeouts of every listener: handshake, headers, request, keep-alive idle (docs/reliability.md). */
  timeouts?: ServerTimeouts;
  /**
   * How the lab names its hosts in what it hands out: 'name' (default) gives host names
   * (`vcenter.lab.test`, `esxi-01.lab.test`), which resolve once mapped (bpsim hosts, --etc-hosts);
   * 'ip' gives addresses, so every URL, ticket host and HostSystem name works without any resolver.
   */
  hostNames?: 'name' | 'ip';
  /** Fixed identity addresses by component name (a deployment's network plan); others are allocated. */
  addresses?: Record<string, string>;
  /** Where a listener really binds, when a deployment decides (several components behind one host); undefined: the lab decides. */
  placement?: (component: string, args: ListenArgs) => { bindAddress: string; port: number } | undefined;
  /** A component's certificate issued ahead of time (a deployment's shared certificate volume); undefined: issued at start. */
  certFor?: (component: string) => IssuedCert | undefined;
}

interface Running {
  spec: ComponentSpec<unknown>;
  ctx: ComponentContext<unknown>;
  handle: ComponentHandle | void;
  listeners: Set<Listener>;
}

/** The generic lab: components, their listeners and endpoints, PKI, trace and faults. Knows no component by name. */
export class CoreLab<World = unknown> {
  readonly trace: TraceBus;
  readonly recorder: TraceRecorder;
  readonly faults = new FaultRegistry();
  readonly netmap: NetMap;
  readonly addresses: AddressAllocator;
  readonly portMode: PortMode;
  private readonly running = new Map<string, Running>();
  private readonly endpointList: Endpoint[] = [];
  private stopped = false;
  private readonly stopHooks = new Set<() => void | Promise<void>>();
  private readonly tlsFaultCerts: TlsFaultCerts;
  /** Every listener's server timeouts, defaults filled in. */
  readonly timeouts: Required<ServerTimeouts>;
  /** A temp dir for this lab (CA copy for clients, sockets...), removed by stop(). */
  tempDir = '';
  caFile = '';

  private constructor(
    readonly ca: CertificateAuthority,
    readonly world: World,
    readonly options: CoreLabOptions,
    readonly credentials: Record<string, Credentials>,
  ) {
    this.trace = options.trace ?? new TraceBus();
    this.recorder = new TraceRecorder(this.trace);
    this.netmap = new NetMap(() => this.endpointList, (address) => this.addresses.nameOf(address));
    this.addresses = options.addressBlock ? AddressAllocator.parse(options.addressBlock) : AddressAllocator.random();
    for (const [name, address] of Object.entries(options.addresses ?? {})) this.addresses.assign(name, address);
    this.portMode = options.ports ?? defaultPortMode();
    this.tlsFaultCerts = new TlsFaultCerts(ca);
    this.timeouts = resolveTimeouts({ handshakeMs: options.tlsHandshakeTimeoutMs, ...options.timeouts });
  }

  static async create<W>(world: W, options: CoreLabOptions = {}): Promise<CoreLab<W>> {
    const ca = await CertificateAuthority.cached(options.pkiDir ?? defaultPkiDir());
    const lab = new CoreLab<W>(ca, world, options, options.credentials ?? {});
    lab.tempDir = await mkdtemp(join(tmpdir(), 'bpsim-lab-'));
    lab.caFile = join(lab.tempDir, 'ca.pem');
    await writeFile(lab.caFile, ca.cert);
    return lab;
  }

  private readonly dataResets = new Set<{ component: string; clear: () => Promise<unknown> }>();

  /**
   * Clears faults and the recorded trace; with `data: true` also what the components stored (the
   * cloud's and the cache's blocks, backup manifests, SQL catalog, jobs), so a scenario can run
   * again in the same lab as in a fresh one. Returns what was cleared, per component for data.
   */
  async reset(options: { data?: boolean } = {}): Promise<{ faultsCleared: number; traceEventsCleared: number; data?: Record<string, unknown> }> {
    const faultsCleared = this.faults.list().length;
    const traceEventsCleared = this.recorder.size;
    this.faults.clear();
    this.recorder.clear();
    let data: Record<string, unknown> | undefined;
    if (options.data) {
      data = {};
      for (const hook of this.dataResets) data[hook.component] = await hook.clear();
    }
    this.trace.emit({ kind: 'note', from: 'admin', to: 'admin', port: 0, protocol: 'admin', summary: `lab reset: faults cleared, trace cleared${data ? ', stored data cleared' : ''}` });
    return { faultsCleared, traceEventsCleared, ...(data ? { data } : {}) };
  }

  endpoints(): Endpoint[] {
    return [...this.endpointList];
  }

  endpoint(component: string, listener?: string): Endpoint {
    const e = this.endpointList.find((x) => x.component === component && (listener === undefined || x.listener === listener));
    if (!e) throw new Error(`no endpoint ${component}${listener ? ':' + listener : ''} in this lab`);
    return e;
  }

  component(name: string): ComponentContext<World> | undefined {
    return this.running.get(name)?.ctx as ComponentContext<World> | undefined;
  }

  /** Address a component will have (allocated on first ask, so the world model can name IPs before start). */
  addressOf(name: string): string {
    return this.addresses.allocate(name);
  }

  /** Starts components in order; on any failure stops what had started and rethrows (naming component, address, port). */
  async start(specs: ComponentSpec<World>[]): Promise<void> {
    try {
      for (const spec of specs) await this.add(spec);
    } catch (err) {
      await this.stop();
      throw err;
    }
  }

  async add(spec: ComponentSpec<World>): Promise<ComponentContext<World>> {
    if (this.stopped) throw new Error('lab is stopped');
    if (this.running.has(spec.name)) throw new Error(`component ${spec.name} already exists`);
    const address = this.addressOf(spec.name);
    const bindAddress = this.options.singleHost ? '127.0.0.1' : address;
    const names = {
      commonName: spec.hostname,
      dnsNames: [spec.hostname, ...(spec.aliases ?? [])],
      ipAddresses: [...new Set([address, bindAddress])],
    };
    // Issued on first use (a TLS listener, ctx.cert): a guest starts with plain TCP probes only, and
    // signing 10,000 guests' certificates up front was most of a 10,000-VM lab's start.
    let issued: IssuedCert | undefined;
    const cert = () => (issued ??= this.options.certFor?.(spec.name) ?? this.ca.issue(names));
    const listeners = new Set<Listener>();
    const deps: ListenDeps = {
      trace: this.trace,
      faults: this.faults,
      peerName: (a) => this.netmap.nameOf(a),
      handshakeTimeoutMs: this.options.tlsHandshakeTimeoutMs,
      timeouts: this.timeouts,
    };
    const identity = (args: ListenArgs): ListenerIdentity => {
      const port = this.portMode === 'offset' ? offsetPort(args.realPort) : args.realPort;
      return {
        component: spec.name,
        listener: args.listener,
        protocol: args.protocol,
        address,
        bindAddress,
        realPort: args.realPort,
        port: this.options.singleHost ? 0 : port,
        ...placed(this.options.placement?.(spec.name, args), port),
      };
    };
    const track = async (args: ListenArgs, transport: 'tcp' | 'udp', tls: { sha1: string; sha256: string } | undefined, open: Promise<Listener>) => {
      const listener = await open;
      listeners.add(listener);
      const id = listener.identity;
      const hostForUrl = this.portMode === 'real' && !this.options.singleHost && this.options.hostNames !== 'ip' ? spec.hostname : id.bindAddress;
      this.endpointList.push({
        component: spec.name,
        kind: spec.kind,
        hostname: spec.hostname,
        address,
        bindAddress: id.bindAddress ?? address,
        port: id.port,
        realPort: args.realPort,
        transport,
        protocol: args.protocol,
        listener: args.listener,
        url: args.scheme ? `${args.scheme}://${hostForUrl}${id.port === 443 ? '' : ':' + id.port}${args.path ?? '/'}` : undefined,
        urlByAddress: args.scheme ? `${args.scheme}://${id.bindAddress ?? address}${id.port === 443 ? '' : ':' + id.port}${args.path ?? '/'}` : undefined,
        sha1: tls?.sha1,
        sha256: tls?.sha256,
      });
      this.trace.emit({ kind: 'listen', from: spec.name, to: spec.name, port: args.realPort, protocol: args.protocol, summary: `listening on ${id.bindAddress}:${id.port}` });
      return listener;
    };
    const tlsOf = (args: ListenArgs) => args.tls ?? cert();
    // Explicit TLS material (a scenario's legacy server) is used as given; the normal certificate can be swapped by faults.
    const tlsSource = (args: ListenArgs) =>
      args.tls ??
      tlsSourceWithFaults(this.faults, this.tlsFaultCerts, spec.name, args.listener, names, cert(), (type) =>
        this.trace.emit({ kind: 'fault', from: spec.name, to: spec.name, port: args.realPort, protocol: args.protocol, summary: `TLS fault ${type}` }),
      );
    const ctx: ComponentContext<World> = {
      name: spec.name,
      kind: spec.kind,
      hostname: spec.hostname,
      address,
      get cert() {
        return cert();
      },
      ca: this.ca,
      trace: this.trace,
      faults: this.faults,
      netmap: this.netmap,
      world: this.world,
      credentials: this.credentials,
      timeouts: this.timeouts,
      listenTcp: (args, on) => track(args, 'tcp', undefined, listenTcp(deps, identity(args), on)),
      listenTls: (args, on) => track(args, 'tcp', certOf(tlsOf(args)), listenTls(deps, identity(args), tlsSource(args), on)),
      listenHttps: (args, handler, opts) =>
        track(args, 'tcp', certOf(tlsOf(args)), listenHttps(deps, identity(args), tlsSource(args), handler, opts)),
      listenUdp: (args, on) => track(args, 'udp', undefined, listenUdp(deps, identity(args), on)),
      tlsMaterial: async (args) => {
        const source = tlsSource(args as ListenArgs);
        return typeof source === 'function' ? source() : source;
      },
      unlisten: async (listener) => {
        listeners.delete(listener);
        const i = this.endpointList.findIndex((e) => e.component === spec.name && e.listener === listener.identity.listener);
        if (i >= 0) this.endpointList.splice(i, 1);
        await listener.close();
      },
      endpoints: () => this.endpointList.filter((e) => e.component === spec.name),
      onDataReset: (clear) => {
        const hook = { component: spec.name, clear };
        this.dataResets.add(hook);
        return () => this.dataResets.delete(hook);
      },
    };
    const entry: Running = { spec: spec as ComponentSpec<unknown>, ctx: ctx as ComponentContext<unknown>, handle: undefined, listeners };
    this.running.set(spec.name, entry);
    entry.handle = await spec.start(ctx);
    return ctx;
  }

  /** Runs first when the lab stops (control planes end their streams); returns an unsubscribe. */
  onStop(hook: () => void | Promise<void>): () => void {
    this.stopHooks.add(hook);
    return () => this.stopHooks.delete(hook);
  }

  /** Stops every component and listener, newest first; idempotent. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const hook of [...this.stopHooks]) {
      try {
        await hook();
      } catch {
        // A failing hook must not keep the lab's ports open.
      }
    }
    for (const entry of [...this.running.values()].reverse()) {
      try {
        await entry.handle?.stop?.();
      } catch {
        // Keep stopping the rest: a lab must always free its ports.
      }
      await Promise.all([...entry.listeners].map((l) => l.close()));
    }
    this.running.clear();
    this.endpointList.length = 0;
    this.recorder.close();
    if (this.tempDir) await rm(this.tempDir, { recursive: true, force: true });
  }
}

function certOf(tls: TlsMaterial & { sha1?: string; sha256?: string }): { sha1: string; sha256: string } {
  return tls.sha1 && tls.sha256 ? { sha1: tls.sha1, sha256: tls.sha256 } : thumbprints(tls.cert);
}

/** A deployment's placement of a listener, remembering the port clients still reach through its relay. */
function placed(p: { bindAddress: string; port: number } | undefined, clientPort: number): { bindAddress: string; port: number; clientPort: number } | undefined {
  return p && { ...p, clientPort };
}
