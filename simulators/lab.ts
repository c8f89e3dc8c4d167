import { CoreLab } from './core/lab.ts';
import type { ComponentSpec } from './core/component.ts';
import type { LabWorld } from './world.ts';
import type { LabOptions } from './lab-options.ts';
import { mergeCredentials } from './credentials.ts';
import { labComponents } from './topology.ts';
import { timingOf } from './timing.ts';

export type { LabOptions } from './lab-options.ts';
export type Lab = CoreLab<LabWorld>;

/**
 * Starts a whole lab: builds the world from the seed, then every component of the topology, and
 * returns once every listener accepts. On failure nothing is left running.
 */
export async function startLab(options: LabOptions = {}): Promise<Lab> {
  // A random address block can meet one in use by another lab on this machine (parallel suites,
  // another project's tests): a lab that chose its block at random takes another one.
  const randomBlock = !options.addressBlock && !options.singleHost;
  for (let attempt = 1; ; attempt++) {
    try {
      return await startLabOnce(options);
    } catch (err) {
      if (!randomBlock || (err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt >= RANDOM_BLOCK_ATTEMPTS) throw err;
    }
  }
}

const RANDOM_BLOCK_ATTEMPTS = 5;

async function startLabOnce(options: LabOptions): Promise<Lab> {
  timingOf(options.timing); // a bad profile name fails before anything starts
  // The rooms fill in their parts of the world in labComponents(), before any component starts.
  const world = { seed: options.seed ?? 'bpsim', options } as LabWorld;
  const lab = await CoreLab.create<LabWorld>(world, { ...options, credentials: mergeCredentials(options.credentials) });
  try {
    const specs: ComponentSpec<LabWorld>[] = await labComponents(lab, options);
    await lab.start(specs);
  } catch (err) {
    await lab.stop();
    throw err;
  }
  return lab;
}
