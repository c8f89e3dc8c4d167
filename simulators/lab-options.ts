import type { CoreLabOptions } from './core/lab.ts';
import type { TraceBus } from './core/trace/bus.ts';
import type { NtpServerOptions } from './ntp/options.ts';
import type { ExtraVmOptions } from './inventory/build.ts';

export interface LabOptions extends Omit<CoreLabOptions, 'trace'> {
  /** Seed for every generated thing (inventory, disk and database contents). */
  seed?: string;
  /** Number of VMs in the generated inventory (default: the small realistic lab). */
  vms?: number;
  /** VMs added to the inventory, e.g. `[{ name: 'big01', disks: [{ capacityGiB: 4 }] }]` for a fully allocated 4 GiB disk. */
  extraVms?: ExtraVmOptions[];
  /** Number of ESXi hosts (default 2). */
  hosts?: number;
  /** Leave out components: e.g. ['cloudcache'] for a lab without CloudCache. */
  without?: string[];
  trace?: TraceBus;
  /** Directory for persistent state (cloud blocks and catalog); default: in memory. */
  stateDir?: string;
  /** The SNTP server: clock offset, stratum, unsynchronized, Kiss-o'-Death, silent (docs/ntp-and-probes.md). */
  ntp?: NtpServerOptions;
}
