import type { Credentials } from '../simulators/core/types.ts';
import { endpointsNow, type EndpointSource } from './net/proxy-net.ts';

/**
 * Everything the proxy is told about its world. It comes from data a real deployment would have
 * (a vCenter address and login, the cloud's address and an activation token, the CA to trust),
 * here taken from a lab's endpoint summary (`bpsim up --json`), never from simulator objects.
 */
export interface ProxyConfig {
  name: string;
  endpoints: EndpointSource;
  caPem: string;
  /** Source address of every connection (the lab gives the proxy its own). */
  localAddress?: string;
  /** vCenter, or a standalone ESXi host registered directly. */
  vsphere: { host: string; user: string; password: string };
  cloud: { host: string; activationToken: string };
  /** CloudCache near the proxy; null when there is none. */
  cloudcache: { host: string } | null;
  /** timeoutMs: how long to wait for the SNTP reply (default 3 s). */
  ntp: { host: string; maxSkewMs: number; warnSkewMs: number; timeoutMs?: number } | null;
  guest: { windows: Credentials; linux: Credentials };
  /** Backup block size in bytes (data is cut, hashed and deduplicated at this size). */
  blockSize: number;
  /** NBDSSL (default) or NBD for the 902 data path. */
  transport: 'nbdssl' | 'nbd';
  /** Deadlines (ms); request: one vSphere SOAP call (default 60 s). */
  timeouts: { task: number; guestStart: number; probe: number; drBoot: number; request?: number };
}

export interface LabSummaryLike {
  caPem: string;
  endpoints: EndpointSource;
  credentials: Record<string, Credentials>;
  proxyAddress?: string;
}

export const DEFAULT_BLOCK_SIZE = 1024 * 1024;

/** A proxy configuration for a lab: registered with vCenter (or a standalone host), using CloudCache when the lab has one. */
export function proxyConfigFor(lab: LabSummaryLike, over: Partial<ProxyConfig> & { standaloneHost?: string } = {}): ProxyConfig {
  const now = endpointsNow(lab.endpoints);
  const has = (component: string) => now.some((e) => e.component === component);
  const hostname = (component: string) => now.find((e) => e.component === component)?.hostname ?? `${component}.lab.test`;
  const standalone = over.standaloneHost;
  const c = lab.credentials;
  return {
    name: 'proxy-01',
    endpoints: lab.endpoints,
    caPem: lab.caPem,
    localAddress: lab.proxyAddress,
    vsphere: standalone
      ? { host: standalone, user: c.esxi!.user, password: c.esxi!.password }
      : { host: hostname('vcenter'), user: c.vcenter!.user, password: c.vcenter!.password },
    cloud: { host: hostname('cloud'), activationToken: c.cloud!.password },
    cloudcache: has('cloudcache') ? { host: hostname('cloudcache') } : null,
    ntp: has('ntp') ? { host: hostname('ntp'), maxSkewMs: 5 * 60_000, warnSkewMs: 1_000 } : null,
    guest: { windows: c['guest-windows']!, linux: c['guest-linux']! },
    blockSize: DEFAULT_BLOCK_SIZE,
    transport: 'nbdssl',
    timeouts: { task: 120_000, guestStart: 30_000, probe: 3_000, drBoot: 30_000 },
    ...over,
  };
}
