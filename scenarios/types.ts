import type { TimingProfile } from '../simulators/timing.ts';
import type { ErrorClass } from '../proxy/errors.ts';
import type { TraceKind } from '../simulators/core/types.ts';

/** A scenario as written in YAML (docs/scenarios.md), after validation against scenarios/schema.ts. */
export interface Scenario {
  name: string;
  description: string;
  lab?: ScenarioLab;
  proxy?: ScenarioProxy;
  faults?: ScenarioFault[];
  steps: Step[];
  /** Checked once every step has run. */
  expect?: { trace?: TraceExpectation[]; faults?: FaultExpectation[] };
}

export interface ScenarioLab {
  seed?: string;
  vms?: number;
  hosts?: number;
  singleHost?: boolean;
  /** Components to leave out, e.g. [cloudcache]. */
  without?: string[];
  /** vcenter (default), or the ESXi component (esxi-01...) the proxy registers with directly. */
  registration?: 'vcenter' | { standalone: string };
  /** Account lockout and activation throttling: vmware (default) or off. */
  lockout?: 'vmware' | 'off';
  /** Simulated task and lease durations: fast, standard (default) or realistic (docs/scenarios.md). */
  timing?: TimingProfile;
  /** How long the cloud's job claims hold without a heartbeat (default 60 s). */
  jobLeaseMs?: number;
}

export interface ScenarioProxy {
  blockSize?: number;
  transport?: 'nbdssl' | 'nbd';
  timeouts?: { task?: number; guestStart?: number; probe?: number; drBoot?: number; request?: number };
  ntp?: { maxSkewMs?: number; warnSkewMs?: number; timeoutMs?: number };
}

export interface FaultSpec {
  id?: string;
  target: string;
  type: string;
  params?: Record<string, unknown>;
  remaining?: number;
}

/** A fault with its window: set before step `from` (default: the first), cleared after step `until` (default: never). */
export interface ScenarioFault extends FaultSpec {
  from?: string;
  until?: string;
}

export type Range = number | { min?: number; max?: number };

export interface TraceExpectation {
  kind?: TraceKind;
  from?: string;
  to?: string;
  port?: number;
  /** A regular expression the event's summary must match. */
  summary?: string;
  /** true: no such event may appear. */
  absent?: boolean;
  count?: Range;
}

/** A fault fired at least once during the scenario (a `fault` trace event naming its type). */
export interface FaultExpectation {
  type: string;
  target?: string;
}

export interface StepExpect {
  outcome?: 'succeeded' | 'failed';
  errorClass?: ErrorClass;
  /** A regular expression the error message must match. */
  message?: string;
  /** vm-backup: what the backup was (fell-back = full read after a CBT reset on an incremental). */
  kind?: 'full' | 'incremental' | 'fell-back';
  blocksUploaded?: Range;
  blocks?: Range;
  target?: 'cloudcache' | 'cloud';
  quiesced?: boolean;
  probe?: 'open' | 'closed' | 'filtered' | 'skipped';
  /** sql-restore: restored database equals the source; dr-restore: new disks equal the backed-up ones. */
  checksum?: 'equal';
  /** sql-restore: backup types of the restore chain in order, e.g. [full, diff, log]. */
  chain?: string[];
  /** vm-backup: times reading resumed after a lost 902 connection. */
  nfcResumes?: Range;
  /** A regular expression some proxy log line of this step must match. */
  log?: string;
  trace?: TraceExpectation[];
}

interface StepBase {
  id?: string;
  /** queue (default): through the cloud's job queue, the path a real proxy takes; direct: a library call. */
  via?: 'queue' | 'direct';
  expect?: StepExpect;
}

export type Step =
  | (StepBase & {
      type: 'vm-backup';
      vm: string;
      mode?: 'auto' | 'full' | 'incremental';
      /** Run the job an abandon-job step left behind (claimed again once its lease lapsed) instead of queuing one. */
      takeOver?: string;
    })
  /** A vm-backup job claimed by a second proxy that then goes silent: no heartbeat, no result. */
  | (StepBase & { type: 'abandon-job'; vm: string })
  | (StepBase & { type: 'sql-backup'; vm: string; backup: 'full' | 'diff' | 'log' | 'copy-only'; instance?: string; databases?: string[] })
  | (StepBase & {
      type: 'sql-restore';
      vm: string;
      database: string;
      targetDatabase?: string;
      instance?: string;
      /** Point in time: the moment the named sql-transactions step finished, or an ISO time. */
      pointInTime?: { after: string } | { time: string };
    })
  | (StepBase & { type: 'dr-restore'; vm?: string; from?: string; newName?: string })
  | (StepBase & { type: 'guest-write'; vm: string; disk?: number; percent: number; extents: number })
  | (StepBase & { type: 'sql-transactions'; vm: string; database: string; count: number; instance?: string })
  | (StepBase & { type: 'cbt-reset'; vm: string })
  | (StepBase & { type: 'wait'; ms: number })
  | (StepBase & { type: 'set-fault'; fault: FaultSpec })
  | (StepBase & { type: 'clear-fault'; fault?: string });

export type StepType = Step['type'];

/** A loaded scenario and where it came from (for messages). */
export interface LoadedScenario {
  scenario: Scenario;
  file: string;
}
