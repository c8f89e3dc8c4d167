import { CoreLab } from '../core/lab.ts';
import type { Endpoint } from '../core/types.ts';
import type { TraceBus } from '../core/trace/bus.ts';
import type { IssuedCert } from '../core/pki/ca.ts';
import { mergeCredentials } from '../credentials.ts';
import { labComponents } from '../topology.ts';
import type { Lab } from '../lab.ts';
import type { LabOptions } from '../lab-options.ts';
import type { LabWorld } from '../world.ts';
import { readIssued, readPlan } from './certs.ts';
import { addressOf, addressTable, groupOf, unitOf, type DeployPlan } from './plan.ts';
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
      const u = group.find((x) => x.component === component);
      if (!u) return undefined; // created at run time (a restored VM): stays inside this host
      if (u.component === opts.component) return { bindAddress: bind, port: args.realPort };
      const l = u.listeners.find((x) => x.listener === args.listener);
      if (l?.backendPort === undefined) throw new Error(`${component}: listener ${args.listener} (${args.realPort}) is not in the deployment plan; regenerate it`);
      return { bindAddress: bind, port: l.backendPort };
    },
  };
  // The same world as startLab() builds, from the same seed, so every home agrees on inventory and disks.
  const world = { seed: plan.lab.seed, options } as LabWorld;
  const lab = await CoreLab.create<LabWorld>(world, { ...options, trace: opts.trace, credentials: mergeCredentials() });
  try {
    const specs = (await labComponents(lab, options)).filter((s) => runs.has(s.name));
    await lab.start(specs);
  } catch (err) {
    await lab.stop();
    throw err;
  }
  return { mode: 'home', component: opts.component, runs: [...runs], lab, endpoints: lab.endpoints(), stop: () => lab.stop() };
}
