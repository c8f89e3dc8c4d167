import { Option, type Command } from 'commander';
import type { LabOptions } from '../../simulators/lab-options.ts';
import { resolveTimeouts, type ServerTimeouts } from '../../simulators/core/net/timeouts.ts';
import { TIMING_PROFILES, type TimingProfile } from '../../simulators/timing.ts';

/**
 * Options every command that starts a lab shares. `defaultBlock`: `bpsim up` keeps its addresses
 * from run to run (127.77.0); the demo takes a random block so it never collides with a running lab.
 */
export function addLabOptions(cmd: Command, defaultBlock?: string): Command {
  return cmd
    .option('--seed <seed>', 'seed for inventory, disk and database contents', 'bpsim')
    .option('--vms <count>', 'generate an inventory of this many VMs instead of the default 6', parseCount)
    .option('--hosts <count>', 'number of ESXi hosts', parseCount)
    .option('--single-host', 'everything on 127.0.0.1 with OS-chosen ports (macOS)')
    .addOption(new Option('--ports <mode>', 'real ports (443, 902...) or offset (10443, 10902...); default: real when allowed').choices(['real', 'offset']))
    .option('--address-block <127.B.C>', `loopback block for component addresses${defaultBlock ? '' : ' (default: random)'}`, defaultBlock)
    .option('--without <components>', 'comma-separated components to leave out (e.g. cloudcache)', (v) => v.split(',').map((s) => s.trim()).filter(Boolean))
    .option('--state-dir <dir>', 'keep cloud blocks and catalog in this directory across runs')
    .option('--pki-dir <dir>', 'where the lab CA and keys are cached (default ~/.cache/bpsim/pki)')
    .addOption(new Option('--lockout <mode>', 'account lockout and activation throttling: VMware\'s defaults (default) or none').choices(['vmware', 'off']))
    .addOption(timingOption())
    .option('--timeouts <list>', 'server timeouts in ms, e.g. handshake=10000,headers=30000,request=300000,idle=30000,authd=30000,rdp=10000,ssh=10000 (also nfc-message, nfc-idle, nfc-drain; docs/reliability.md)', parseTimeouts)
    .addOption(new Option('--host-names <mode>', 'name: hand out host names (vcenter.lab.test; map them with bpsim hosts or --etc-hosts); ip: register hosts by address, so every URL and ticket works without a resolver').choices(['name', 'ip']).default('name'));
}

/** --timing, shared by the commands that start a lab (up, demo, run). */
export function timingOption(byDefault = 'standard'): Option {
  return new Option('--timing <profile>', `simulated task and lease durations: fast (none, for test suites), standard (tens of ms) or realistic (vCenter-like seconds; docs/scenarios.md); default: ${byDefault}`).choices([...TIMING_PROFILES]);
}

/** `--timeouts` names and the option each sets (docs/reliability.md, "Server timeouts"). */
const TIMEOUT_NAMES: Record<string, keyof ServerTimeouts> = {
  handshake: 'handshakeMs',
  headers: 'headersMs',
  request: 'requestMs',
  idle: 'idleMs',
  authd: 'authdCommandMs',
  'nfc-message': 'nfcMessageMs',
  'nfc-idle': 'nfcIdleMs',
  'nfc-drain': 'nfcDrainMs',
  rdp: 'rdpRequestMs',
  ssh: 'sshIdentMs',
};

function parseTimeouts(v: string): ServerTimeouts {
  const out: ServerTimeouts = {};
  for (const part of v.split(',').filter(Boolean)) {
    const m = /^([a-z-]+)=(\d+)$/.exec(part.trim());
    const key = m && Object.hasOwn(TIMEOUT_NAMES, m[1]!) ? TIMEOUT_NAMES[m[1]!] : undefined;
    if (!m || !key) throw new Error(`expected name=milliseconds with name ${Object.keys(TIMEOUT_NAMES).join(', ')}, got "${part}"`);
    out[key] = Number(m[2]);
  }
  return resolveTimeouts(out);
}

function parseCount(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 100_000) throw new Error(`expected a whole number from 1 to 100000, got "${v}"`);
  return n;
}

export interface LabCliOptions {
  seed: string;
  vms?: number;
  hosts?: number;
  singleHost?: boolean;
  ports?: 'real' | 'offset';
  addressBlock?: string;
  without?: string[];
  stateDir?: string;
  pkiDir?: string;
  lockout?: 'vmware' | 'off';
  timing?: TimingProfile;
  timeouts?: ServerTimeouts;
  hostNames?: 'name' | 'ip';
}

export function toLabOptions(o: LabCliOptions): LabOptions {
  return {
    seed: o.seed,
    vms: o.vms,
    hosts: o.hosts,
    singleHost: o.singleHost,
    ports: o.ports,
    addressBlock: o.addressBlock,
    without: o.without,
    stateDir: o.stateDir,
    pkiDir: o.pkiDir,
    lockout: o.lockout,
    timing: o.timing,
    timeouts: o.timeouts,
    hostNames: o.hostNames,
  };
}
