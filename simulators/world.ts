import type { LabOptions } from './lab-options.ts';

/**
 * The simulated world that the servers of one lab share: what vCenter reports, what the disks hold,
 * what runs in each guest. Each room adds its own part by declaration merging from its own file, e.g.
 *
 *   declare module '../world.ts' { interface LabWorld { disks: DiskStore } }
 *
 * so rooms do not edit one shared type. The proxy never sees this object: it only uses the wire.
 */
export interface LabWorld {
  seed: string;
  options: LabOptions;
  /** The lab's address for a component (the network's DHCP): a VM created at run time gets its guest address here. */
  addressOf(component: string): string;
}
