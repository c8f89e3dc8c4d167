/**
 * The deployment plan: every component of a lab as one host on a network, with its hostname, its
 * address (network prefix + a fixed host number), its listeners on real ports, and the process
 * that really runs it. One plan drives docker-compose.yml, the certificates, the proxy's endpoint
 * list and `bpsim serve`.
 *
 * Components that share in-process state (vCenter, the ESXi hosts and the guests share VM,
 * snapshot, disk, NFC ticket and guest state; CloudCache gets its cloud token in-process) form a
 * group: the group's home runs all of them in one process, and every other member's host relays
 * its real ports to the home byte for byte (TLS stays end to end with the member's own certificate).
 */
export interface PlanListener {
  listener: string;
  realPort: number;
  transport: 'tcp' | 'udp';
  protocol: string;
  /** Path of the endpoint URL ("/sdk"), for listeners that have one. */
  path?: string;
  /** Opens only at run time (guestossvc after injection); the relay listens from the start. */
  dynamic?: boolean;
  /** Port on the home host where a group member's listener really binds (members only). */
  backendPort?: number;
}

export interface PlanUnit {
  component: string;
  kind: string;
  hostname: string;
  /** Last octet of its address on the deployment network. */
  host: number;
  /** The component whose process runs this one (itself when it is a home). */
  home: string;
  listeners: PlanListener[];
}

export interface DeployPlan {
  /** Lab parameters every process must share: the world is rebuilt from them in each home. */
  lab: { seed: string; vms?: number; hosts?: number };
  /** First three octets of the deployment network ("172.28.0"; "127.88.0" for a local run). */
  network: string;
  /** The proxy's own host on the network (it listens nowhere). */
  proxy: { hostname: string; host: number };
  units: PlanUnit[];
}

/** Which component's process runs a kind of component: state sharers go to their group's home. */
export const GROUP_HOME_OF_KIND: Record<string, string> = {
  vcenter: 'vcenter',
  esxi: 'vcenter',
  guest: 'vcenter',
  cloud: 'cloud',
  cloudcache: 'cloud',
  'guest-spare': 'vcenter',
};

/** Spare guest hosts: a VM created at run time takes the first free one (its address and relay). */
export const SPARE_KIND = 'guest-spare';
export const SPARE_PREFIX = 'guest-spare-';

/** Member listeners bind on the home host from this port up: 100 ports per member, one per listener. */
export const BACKEND_PORT_BASE = 20_000;
export const PROXY_HOST = 10;
export const FIRST_UNIT_HOST = 11;

export function addressIn(network: string, host: number): string {
  return `${network}.${host}`;
}

export function unitOf(plan: DeployPlan, component: string): PlanUnit {
  const unit = plan.units.find((u) => u.component === component);
  if (!unit) throw new Error(`no component "${component}" in the deployment plan (known: ${plan.units.map((u) => u.component).join(', ')})`);
  return unit;
}

export function addressOf(plan: DeployPlan, component: string): string {
  return component === 'proxy' ? addressIn(plan.network, plan.proxy.host) : addressIn(plan.network, unitOf(plan, component).host);
}

/** The components a home runs: itself and the members relayed to it. */
export function groupOf(plan: DeployPlan, home: string): PlanUnit[] {
  return plan.units.filter((u) => u.home === home);
}

/** Every plan address by component name, for a lab that must agree with the other processes. */
export function addressTable(plan: DeployPlan): Record<string, string> {
  const table: Record<string, string> = { proxy: addressOf(plan, 'proxy') };
  for (const u of plan.units) table[u.component] = addressIn(plan.network, u.host);
  return table;
}

export function validateNetwork(network: string): string {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(network.trim());
  if (!m || m.slice(1).some((o) => Number(o) > 255)) throw new Error(`network must be three octets like 172.28.0 (a /24), got "${network}"`);
  return network.trim();
}
