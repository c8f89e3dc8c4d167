import type { CoreLabOptions } from './core/lab.ts';
import type { TraceBus } from './core/trace/bus.ts';
import type { NtpServerOptions } from './ntp/options.ts';
import type { ExtraVmOptions } from './inventory/build.ts';
import type { Clock, LockoutMode } from './core/lockout.ts';
import type { TimingProfile } from './timing.ts';

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
  /** Account lockout and throttling: VMware's defaults (default) or none (docs/reliability.md, "Security behaviour"). */
  lockout?: LockoutMode;
  /** Time source of lockout windows and cloud job leases (default Date.now); tests move it instead of waiting. */
  clock?: Clock;
  /** How long the cloud's job claim holds without a heartbeat from the proxy (default 60 s; docs/cloud-api.md). */
  jobLeaseMs?: number;
  /** How long simulated work takes: 'fast' (no simulated durations, for test suites), 'standard' (default), 'realistic' (vCenter-like seconds). */
  timing?: TimingProfile;
}
