import { startLab } from '../lab.ts';
import { GUESTOSSVC_PORT } from '../core/codecs/guest-api.ts';
import type { Endpoint } from '../core/types.ts';
import { LAB_DOMAIN } from '../topology.ts';
import type { VmSpec } from '../inventory/types.ts';
import {
  BACKEND_PORT_BASE,
  SPARE_KIND,
  SPARE_PREFIX,
  FIRST_UNIT_HOST,
  GROUP_HOME_OF_KIND,
  PROXY_HOST,
  validateNetwork,
  type DeployPlan,
  type PlanListener,
  type PlanUnit,
} from './plan.ts';

export interface DescribeOptions {
  seed?: string;
  vms?: number;
  hosts?: number;
  network: string;
  /** Where the embedded lab finds its CA (default cache). */
  pkiDir?: string;
  /** Hosts kept for VMs created at run time (default 2). */
  spareGuests?: number;
}

export const DEFAULT_SPARE_GUESTS = 2;

const RDP: PlanListener = { listener: 'rdp', realPort: 3389, transport: 'tcp', protocol: 'rdp' };
const SSH: PlanListener = { listener: 'ssh', realPort: 22, transport: 'tcp', protocol: 'ssh' };
const GUESTOSSVC: PlanListener = { listener: 'guestossvc', realPort: GUESTOSSVC_PORT, transport: 'tcp', protocol: 'https/guestossvc', path: '/api/v1/status' };

/**
 * Builds the plan from the embedded lab itself: starts it (single-host, so it never collides with
 * anything), reads which components and listeners it really has, stops it. The plan therefore
 * cannot drift from `startLab()`: a new component or port shows up here by construction.
 */
export async function describeLab(opts: DescribeOptions): Promise<DeployPlan> {
  const network = validateNetwork(opts.network);
  const lab = await startLab({ seed: opts.seed, vms: opts.vms, hosts: opts.hosts, singleHost: true, pkiDir: opts.pkiDir });
  let endpoints: Endpoint[];
  let vms: VmSpec[];
  try {
    endpoints = lab.endpoints();
    vms = lab.world.inventory.vms;
  } finally {
    await lab.stop();
  }
  const windowsGuests = new Set(vms.filter((v) => v.guestFamily === 'windowsGuest').map((v) => `guest-${v.name}`));
  const units: PlanUnit[] = [];
  for (const e of endpoints) {
    let unit = units.find((u) => u.component === e.component);
    if (!unit) {
      unit = { component: e.component, kind: e.kind, hostname: e.hostname, host: FIRST_UNIT_HOST + units.length, home: e.component, listeners: [] };
      units.push(unit);
    }
    unit.listeners.push(listenerOf(e));
  }
  // A powered-off VM has no component yet, but may be powered on: it gets its host now, listeners dynamic.
  for (const v of vms) {
    const component = `guest-${v.name}`;
    if (units.some((u) => u.component === component)) continue;
    const probe = v.guestFamily === 'windowsGuest' ? RDP : SSH;
    units.push({ component, kind: 'guest', hostname: v.hostname, host: FIRST_UNIT_HOST + units.length, home: component, listeners: [{ ...probe, dynamic: true }] });
  }
  // VMs created at run time (a DR restore) take a spare guest host, whose relay listens on every guest port.
  for (let i = 1; i <= (opts.spareGuests ?? DEFAULT_SPARE_GUESTS); i++) {
    units.push({
      component: `${SPARE_PREFIX}${i}`,
      kind: SPARE_KIND,
      hostname: `${SPARE_PREFIX.replace(/^guest-/, '')}${i}.${LAB_DOMAIN}`,
      host: FIRST_UNIT_HOST + units.length,
      home: `${SPARE_PREFIX}${i}`,
      listeners: [SSH, RDP, GUESTOSSVC].map((l) => ({ ...l, dynamic: true })),
    });
  }
  if (FIRST_UNIT_HOST + units.length > 254) throw new Error(`${units.length} hosts do not fit in one /24 network (at most ${254 - FIRST_UNIT_HOST + 1}); use fewer VMs`);
  // guestossvc opens only after injection, so a started lab cannot show it: add it where injection works.
  for (const u of units) {
    if (windowsGuests.has(u.component) && !u.listeners.some((l) => l.realPort === GUESTOSSVC_PORT)) {
      u.listeners.push({ ...GUESTOSSVC, dynamic: true });
    }
  }
  assignHomes(units);
  return {
    lab: { seed: opts.seed ?? 'bpsim', ...(opts.vms ? { vms: opts.vms } : {}), ...(opts.hosts ? { hosts: opts.hosts } : {}) },
    network,
    proxy: { hostname: `proxy.${LAB_DOMAIN}`, host: PROXY_HOST },
    units,
  };
}

function listenerOf(e: Endpoint): PlanListener {
  const path = e.url ? new URL(e.url).pathname : undefined;
  return { listener: e.listener, realPort: e.realPort, transport: e.transport, protocol: e.protocol, ...(path ? { path } : {}) };
}

/** Members of a group get their home and one backend port per listener on the home host. */
function assignHomes(units: PlanUnit[]): void {
  const present = new Set(units.map((u) => u.component));
  const memberIndex = new Map<string, number>();
  for (const u of units) {
    const home = GROUP_HOME_OF_KIND[u.kind];
    if (!home || home === u.component || !present.has(home)) continue;
    if (u.listeners.some((l) => l.transport !== 'tcp')) throw new Error(`${u.component}: only TCP listeners can be relayed to ${home}`);
    const m = memberIndex.get(home) ?? 0;
    memberIndex.set(home, m + 1);
    u.home = home;
    u.listeners.forEach((l, k) => (l.backendPort = BACKEND_PORT_BASE + m * 100 + k));
  }
}
