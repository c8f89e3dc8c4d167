import type { TLSSocket } from 'node:tls';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { CertificateAuthority, IssuedCert } from './pki/ca.ts';
import type { TraceBus } from './trace/bus.ts';
import type { FaultRegistry } from './faults/registry.ts';
import type { NetMap } from './net/netmap.ts';
import type { ConnContext, HttpsOptions, Listener, RequestHandler, TlsMaterial, UdpContext } from './net/listen.ts';
import type { Credentials, Endpoint } from './types.ts';
import type { ServerTimeouts } from './net/timeouts.ts';

/** What a component declares; the lab gives it an address, a certificate and a context. */
export interface ComponentSpec<World = unknown> {
  /** Unique in the lab: "vcenter", "esxi-01", "cloud", "guest-sql01". */
  name: string;
  /** What it is: "vcenter", "esxi", "cloud", "cloudcache", "guest", "ntp". */
  kind: string;
  hostname: string;
  /** Extra DNS names for its certificate. */
  aliases?: string[];
  start(ctx: ComponentContext<World>): Promise<ComponentHandle | void>;
}

export interface ComponentHandle {
  stop?(): Promise<void>;
}

export interface ListenArgs {
  /** Listener name, unique within the component: "https", "authd", "ntp", "rdp"... */
  listener: string;
  /** The port the real product uses (443, 902...); the lab decides the bound port. */
  realPort: number;
  /** Protocol label for the endpoint table and trace ("https", "soap", "authd/nfc", "sntp"...). */
  protocol: string;
  /** Scheme for the endpoint URL, if any. */
  scheme?: 'https';
  /** URL path for the endpoint URL ("/sdk"). */
  path?: string;
  /** Override the component certificate (legacy or faulty TLS). */
  tls?: TlsMaterial;
}

/** The per-component view of the lab: identity, PKI, trace, faults and listeners that clean up after themselves. */
export interface ComponentContext<World = unknown> {
  name: string;
  kind: string;
  hostname: string;
  /** The component's identity address (what inventory, certificates and trace name). */
  address: string;
  /** Its certificate for hostname + address, signed by the lab CA. */
  cert: IssuedCert;
  ca: CertificateAuthority;
  trace: TraceBus;
  faults: FaultRegistry;
  netmap: NetMap;
  world: World;
  credentials: Record<string, Credentials>;
  /** The lab's server timeouts, for listeners a component builds itself (docs/reliability.md). */
  timeouts: Required<ServerTimeouts>;
  listenTcp(args: ListenArgs, onConnection: (stream: Duplex, ctx: ConnContext, socket: Socket) => void): Promise<Listener>;
  listenTls(args: ListenArgs, onSecure: (socket: TLSSocket, ctx: ConnContext) => void): Promise<Listener>;
  listenHttps(args: ListenArgs, handler: RequestHandler, opts?: HttpsOptions): Promise<Listener>;
  listenUdp(args: ListenArgs, onMessage: (msg: Buffer, ctx: UdpContext) => Buffer | null | Promise<Buffer | null>): Promise<Listener>;
  /**
   * The TLS certificate to present now on a listener that upgrades to TLS itself (authd STARTTLS on
   * 902): the component's own, or a certificate fault's. Pass it to `acceptTls(stream, secureContextOf(m), ...)`.
   */
  tlsMaterial(args: Pick<ListenArgs, 'listener' | 'realPort' | 'protocol'>): Promise<TlsMaterial>;
  /** Close one listener opened through this context (a guest service stopping); its endpoint disappears. */
  unlisten(listener: Listener): Promise<void>;
  endpoints(): Endpoint[];
  /** Registers what a lab data reset (`lab.reset({ data: true })`, POST /reset) clears of this component; returns the unregister function. */
  onDataReset(clear: () => Promise<unknown>): () => void;
}
