import { connect as tlsConnect, type TLSSocket, type ConnectionOptions, type PeerCertificate } from 'node:tls';
import { connect as netConnect, type Socket } from 'node:net';
import { NetMap, type Target } from '../../simulators/core/net/netmap.ts';
import type { Endpoint } from '../../simulators/core/types.ts';

/**
 * What the proxy knows of the lab network: the endpoint list (as `bpsim up --json` prints it, the
 * simulator's stand-in for DNS), the CA to trust, and its own source address. Nothing else.
 */
/**
 * The endpoint list, fixed (a file) or live (the lab's own name service, like DNS). Live matters
 * where listeners appear at run time on ports nobody can guess: guestossvc after injection and a
 * DR-restored VM's probes in single-host mode.
 */
export type EndpointSource = readonly Endpoint[] | (() => readonly Endpoint[]);

export function endpointsNow(source: EndpointSource): readonly Endpoint[] {
  return typeof source === 'function' ? source() : source;
}

export interface ProxyNetConfig {
  endpoints: EndpointSource;
  caPem: string;
  /** Source address for every connection, so servers can tell the proxy in the trace. */
  localAddress?: string;
}

export interface TlsOptions {
  /** Accept only this SHA-1 thumbprint (colon form) instead of CA + hostname checks, as VDDK does for 902. */
  pinSha1?: string;
  pinSha256?: string;
  minVersion?: ConnectionOptions['minVersion'];
  maxVersion?: ConnectionOptions['maxVersion'];
  timeoutMs?: number;
  /** Trust a different CA (tests for unknown-CA faults). */
  caPem?: string | null;
}

export class ProxyTlsError extends Error {
  constructor(message: string, readonly code: string) {
    super(message);
  }
}

export class ProxyNet {
  readonly netmap: NetMap;

  constructor(readonly config: ProxyNetConfig) {
    const source = config.endpoints;
    this.netmap = new NetMap(() => endpointsNow(source));
  }

  resolve(host: string, realPort: number): Target {
    return this.netmap.resolve(host, realPort);
  }

  /** Plain TCP connection (probes, authd before STARTTLS). */
  connectTcp(host: string, realPort: number, timeoutMs = 10_000): Promise<Socket> {
    const t = this.resolve(host, realPort);
    return new Promise((resolve, reject) => {
      const socket = netConnect({ host: t.address, port: t.port, localAddress: this.localAddressFor(t.address) });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(Object.assign(new Error(`connect to ${host}:${realPort} timed out after ${timeoutMs} ms`), { code: 'ETIMEDOUT' }));
      }, timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        resolve(socket);
      });
      socket.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
    });
  }

  /** Options for tls.connect / https.request that enforce the lab CA (or a pinned thumbprint). */
  tlsOptions(host: string, realPort: number, opts: TlsOptions = {}): ConnectionOptions & { host: string; port: number; localAddress?: string } {
    const t = this.resolve(host, realPort);
    const pinned = opts.pinSha1 || opts.pinSha256;
    return {
      host: t.address,
      port: t.port,
      servername: isIp(t.servername) ? undefined : t.servername,
      localAddress: this.localAddressFor(t.address),
      ca: opts.caPem === undefined ? this.config.caPem : opts.caPem ?? undefined,
      minVersion: opts.minVersion ?? 'TLSv1.2',
      maxVersion: opts.maxVersion,
      // A pin replaces CA and name checks (VDDK trusts the ticket's thumbprint); it is checked in upgrade().
      rejectUnauthorized: !pinned,
      checkServerIdentity: (_name: string, cert: PeerCertificate) => checkHost(t.servername, cert),
    };
  }

  connectTls(host: string, realPort: number, opts: TlsOptions = {}): Promise<TLSSocket> {
    const options = this.tlsOptions(host, realPort, opts);
    return upgrade(() => tlsConnect(options), host, realPort, opts);
  }

  /** STARTTLS on an already connected socket (authd on 902). */
  startTls(socket: Socket, host: string, realPort: number, opts: TlsOptions = {}): Promise<TLSSocket> {
    const { host: _h, port: _p, localAddress: _l, ...options } = this.tlsOptions(host, realPort, opts);
    return upgrade(() => tlsConnect({ ...options, socket }), host, realPort, opts);
  }

  private localAddressFor(target: string): string | undefined {
    // Binding a 127.x source only makes sense when the target is loopback too.
    return this.config.localAddress && target.startsWith('127.') ? this.config.localAddress : undefined;
  }
}

function upgrade(make: () => TLSSocket, host: string, port: number, opts: TlsOptions): Promise<TLSSocket> {
  const timeoutMs = opts.timeoutMs ?? 15_000;
  return new Promise((resolve, reject) => {
    const socket = make();
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new ProxyTlsError(`TLS handshake with ${host}:${port} timed out`, 'ETIMEDOUT'));
    }, timeoutMs);
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      const pinError = opts.pinSha1 || opts.pinSha256 ? checkPin(socket.getPeerCertificate(), opts) : undefined;
      if (pinError) {
        socket.destroy();
        reject(pinError);
      } else resolve(socket);
    });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      socket.destroy();
      reject(new ProxyTlsError(`TLS to ${host}:${port} failed: ${err.message}`, err.code ?? 'TLS_ERROR'));
    });
  });
}

function isIp(s: string): boolean {
  return /^\d+\.\d+\.\d+\.\d+$/.test(s) || s.includes(':');
}

function checkHost(name: string, cert: PeerCertificate): Error | undefined {
  const sans = (cert.subjectaltname ?? '').split(/,\s*/);
  const ok = sans.some((s) => s === `DNS:${name}` || s === `IP Address:${name}`);
  return ok ? undefined : new ProxyTlsError(`certificate is for ${cert.subjectaltname || cert.subject?.CN}, not ${name}`, 'ERR_TLS_CERT_ALTNAME_INVALID');
}

function checkPin(cert: PeerCertificate, opts: TlsOptions): Error | undefined {
  if (opts.pinSha1 && cert.fingerprint?.toUpperCase() !== opts.pinSha1.toUpperCase()) {
    return new ProxyTlsError(`host thumbprint ${cert.fingerprint} does not match the expected ${opts.pinSha1}`, 'THUMBPRINT_MISMATCH');
  }
  if (opts.pinSha256 && cert.fingerprint256?.toUpperCase() !== opts.pinSha256.toUpperCase()) {
    return new ProxyTlsError(`host thumbprint ${cert.fingerprint256} does not match the expected ${opts.pinSha256}`, 'THUMBPRINT_MISMATCH');
  }
  return undefined;
}
