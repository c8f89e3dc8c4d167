import { readFileSync } from 'node:fs';

/** Offset mode: privileged ports move up by 10000 (443 -> 10443, 902 -> 10902, 22 -> 10022, 123 -> 10123). */
export const PORT_OFFSET = 10_000;

export type PortMode = 'real' | 'offset';

export function offsetPort(real: number): number {
  return real < 1024 ? real + PORT_OFFSET : real;
}

/**
 * Whether this process may bind ports below 1024: root, or a lowered
 * net.ipv4.ip_unprivileged_port_start. (CAP_NET_BIND_SERVICE without root is not detected here;
 * pass ports: 'real' to use it.)
 */
export function canBindPrivileged(): boolean {
  if (process.getuid?.() === 0) return true;
  try {
    return Number(readFileSync('/proc/sys/net/ipv4/ip_unprivileged_port_start', 'utf8')) <= 22;
  } catch {
    return false;
  }
}

export function defaultPortMode(): PortMode {
  return canBindPrivileged() ? 'real' : 'offset';
}
