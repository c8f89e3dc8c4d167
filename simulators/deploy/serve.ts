import type { CoreLab } from '../core/lab.ts';
import type { Endpoint } from '../core/types.ts';
import type { TraceBus } from '../core/trace/bus.ts';
import type { IssuedCert } from '../core/pki/ca.ts';
import { mergeCredentials } from '../credentials.ts';
import type { Lab } from '../lab.ts';
import type { LabOptions } from '../lab-options.ts';
import type { LabWorld } from '../world.ts';
import { readIssued, readPlan } from './certs.ts';
import { addressOf, addressTable, groupOf, SPARE_KIND, unitOf, type DeployPlan, type PlanUnit } from './plan.ts';
import { startRelay, type Relay } from './relay.ts';

export interface ServeOptions {
  component: string;
  /** The shared volume `bpsim certs` wrote: CA, certificates, plan. */
  certsDir: string;
  /** Bind here instead of the plan address (e.g. 0.0.0.0); the identity address stays the plan's. */
  bindAddress?: string;
  /** Must match the plan's seed when given (the world is rebuilt from it). */
  seed?: string;
  /** The home's trace bus (relays emit no trace: they see bytes, not protocol). */
  trace?: TraceBus;
}

export type Served =
  | { mode: 'home'; component: string; runs: string[]; lab: Lab; endpoints: Endpoint[]; stop(): Promise<void> }
  | { mode: 'relay'; component: string; home: string; relay: Relay; stop(): Promise<void> };

/**
 * Runs one deployment host in this process: a home runs its component and every member of its
 * group (members on backend ports of the home address), a member relays its real ports to its home.
 */
export async function serve(opts: ServeOptions): Promise<Served> {
  const plan = await readPlan(opts.certsDir);
  if (opts.seed !== undefined && opts.seed !== plan.lab.seed) {
    throw new Error(`seed "${opts.seed}" differs from the seed "${plan.lab.seed}" the plan in ${opts.certsDir} was made for; rerun bpsim certs`);
  }
  const unit = unitOf(plan, opts.component);
  return unit.home === unit.component ? serveHome(plan, opts) : serveRelay(plan, opts);
}

async function serveRelay(plan: DeployPlan, opts: ServeOptions): Promise<Served> {
  const unit = unitOf(plan, opts.component);
  const home = addressOf(plan, unit.home);
  const bind = opts.bindAddress ?? addressOf(plan, unit.component);
  const relay = await startRelay(
    unit.listeners.map((l) => ({
      bind: { address: bind, port: l.realPort },
      target: { address: home, port: l.backendPort! },
      label: `${unit.component}:${l.listener}`,
    })),
  );
  return { mode: 'relay', component: unit.component, home: unit.home, relay, stop: () => relay.close() };
}

async function serveHome(plan: DeployPlan, opts: ServeOptions): Promise<Served> {
  const group = groupOf(plan, opts.component);
  const runs = new Set(group.map((u) => u.component));
  const bind = opts.bindAddress ?? addressOf(plan, opts.component);
  const certs = new Map<string, IssuedCert>();
  for (const u of group) certs.set(u.component, await readIssued(opts.certsDir, u.component));
  const options: LabOptions = {
    seed: plan.lab.seed,
    vms: plan.lab.vms,
    hosts: plan.lab.hosts,
    pkiDir: opts.certsDir,
    ports: 'real',
    addresses: addressTable(plan),
    certFor: (c) => certs.get(c),
    placement: (component, args) => {
      const u = group.find((x) => x.component === component) ?? spares.holder(component);
      if (!u) return undefined; // no host in the plan: reachable only inside this one
      if (u.component === opts.component) return { bindAddress: bind, port: args.realPort };
      const l = u.listeners.find((x) => x.listener === args.listener);
      if (l?.backendPort === undefined) throw new Error(`${component}: listener ${args.listener} (${args.realPort}) is not in the deployment plan; regenerate it`);
      return { bindAddress: bind, port: l.backendPort };
    },
  };
  // The same world as startLab() builds, from the same seed, so every home agrees on inventory and disks.
  const world = { seed: plan.lab.seed, options } as LabWorld;
  // Loaded here, not at the top: a relay (most services of a deployment) never needs the simulators,
  // and loading them costs each relay process about 1.5 s of CPU at start.
  const [{ CoreLab }, { labComponents }] = await Promise.all([import('../core/lab.ts'), import('../topology.ts')]);
  const lab = await CoreLab.create<LabWorld>(world, { ...options, trace: opts.trace, credentials: mergeCredentials() });
  const spares = new SpareGuests(group.filter((u) => u.kind === SPARE_KIND), plan, lab);
  try {
    const specs = (await labComponents(lab, options)).filter((s) => runs.has(s.name));
    const planned = lab.world.addressOf;
    lab.world.addressOf = (name) => spares.claim(name) ?? planned(name);
    await lab.start(specs);
  } catch (err) {
    await lab.stop();
    throw err;
  }
  return { mode: 'home', component: opts.component, runs: [...runs], lab, endpoints: lab.endpoints(), stop: () => lab.stop() };
}

/**
 * Hands the plan's spare guest hosts to VMs created at run time (CreateVM_Task asks the world for
 * `guest-<name>`'s address): the VM gets the spare's address, and its listeners the spare's backend
 * ports, so the spare's relay reaches it. When none is free the VM stays reachable only in the home.
 */
class SpareGuests {
  private readonly taken = new Map<string, PlanUnit>();
  private readonly planned: Record<string, string>;

  constructor(
    private readonly spares: PlanUnit[],
    private readonly plan: DeployPlan,
    private readonly lab: CoreLab<LabWorld>,
  ) {
    this.planned = addressTable(plan);
  }

  /** The spare address for a new guest component, or undefined (not a new guest, or none left). */
  claim(component: string): string | undefined {
    if (!component.startsWith('guest-') || component.includes('/') || component in this.planned) return undefined;
    const held = this.taken.get(component);
    if (held) return addressOf(this.plan, held.component);
    const used = new Set(this.taken.values());
    const spare = this.spares.find((s) => !used.has(s));
    if (!spare) {
      this.lab.trace.emit({ kind: 'note', from: component, to: component, port: 0, protocol: 'deploy', summary: `no spare guest host left: ${component} is reachable only inside this process` });
      return undefined;
    }
    this.taken.set(component, spare);
    const address = addressOf(this.plan, spare.component);
    this.lab.addresses.assign(component, address);
    return address;
  }

  holder(component: string): PlanUnit | undefined {
    return this.taken.get(component);
  }
}
