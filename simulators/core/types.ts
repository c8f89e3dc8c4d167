/** One listening socket of a component, as the outside world reaches it. */
export interface Endpoint {
  component: string;
  kind: string;
  hostname: string;
  /** The address the component is known by (inventory, certificates, trace). */
  address: string;
  /** The address and port actually bound (differs from address/realPort in single-host or offset mode). */
  bindAddress: string;
  port: number;
  realPort: number;
  transport: 'tcp' | 'udp';
  protocol: string;
  listener: string;
  /** The URL by host name (`https://vcenter.lab.test/sdk`): resolves where the lab's names do (bpsim hosts, --etc-hosts). */
  url?: string;
  /** The same URL by address (`https://127.77.0.10/sdk`): works without any name resolution. */
  urlByAddress?: string;
  sha1?: string;
  sha256?: string;
}

export type TraceKind =
  | 'listen'
  | 'connect'
  | 'tls'
  | 'request'
  | 'response'
  | 'bytes'
  | 'close'
  | 'fault'
  | 'error'
  | 'note';

export interface TraceEvent {
  seq: number;
  /** ISO-8601 wall clock time. */
  time: string;
  /** Milliseconds since the bus was created (monotonic). */
  t: number;
  kind: TraceKind;
  from: string;
  to: string;
  port: number;
  protocol: string;
  summary: string;
  /** Connection id shared by every event of one connection. */
  conn?: string;
  tls?: { version: string; cipher: string; sni?: string };
  bytes?: { in: number; out: number };
  data?: Record<string, unknown>;
}

export interface Credentials {
  user: string;
  password: string;
}
