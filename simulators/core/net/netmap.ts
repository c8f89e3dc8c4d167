import type { Endpoint } from '../types.ts';

export interface Target {
  address: string;
  port: number;
  /** Name to send as SNI and check in the certificate. */
  servername: string;
  component?: string;
}

/**
 * What a client needs to reach a lab component by the name or address the inventory gives it and
 * the real port it would use (443, 902...). In the default mode this is the identity; in
 * single-host or offset mode it maps to where the listener really is. This stands in for DNS.
 */
export class NetMap {
  constructor(
    private readonly endpoints: () => readonly Endpoint[],
    private readonly names: (address: string) => string | undefined = () => undefined,
  ) {}

  /** A NetMap over a fixed endpoint list (what a proxy gets from `bpsim up --json`). */
  static of(endpoints: readonly Endpoint[]): NetMap {
    return new NetMap(() => endpoints);
  }

  resolve(host: string, realPort: number): Target {
    for (const e of this.endpoints()) {
      if ((e.hostname === host || e.address === host) && e.realPort === realPort) {
        return { address: e.bindAddress, port: e.port, servername: e.hostname, component: e.component };
      }
    }
    // Not a lab endpoint: a closed port or an unknown host. Map hostnames of known components to
    // their address so "closed port" probes still reach the right host.
    const host_ = this.endpoints().find((e) => e.hostname === host || e.address === host);
    return { address: host_?.bindAddress ?? host, port: realPort, servername: host_?.hostname ?? host, component: host_?.component };
  }

  /** Name of the component at an address (for trace "from" fields), if any. */
  nameOf(address: string): string | undefined {
    return this.names(address) ?? this.endpoints().find((e) => e.address === address)?.component;
  }
}
