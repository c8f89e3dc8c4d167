import type { Lab } from '../simulators/lab.ts';
import type { BackupProxy } from '../proxy/backup-proxy.ts';
import type { ProxyError } from '../proxy/errors.ts';
import type { LogLine } from '../proxy/events.ts';
import type { TraceEvent } from '../simulators/core/types.ts';

/** What one step did: its status, the flow's result or error, and the proxy log and trace it produced. */
export interface StepOutcome {
  status: 'succeeded' | 'failed';
  result?: Record<string, unknown>;
  error?: { errorClass: string; message: string };
  /** The cloud job that carried it (queue steps). */
  job?: { id: string; state: string };
  logs: LogLine[];
  trace: TraceEvent[];
  ms: number;
}

/** What the runner remembers across steps (for references and end-to-end checks). */
export interface RunState {
  lab: Lab;
  proxy: BackupProxy;
  /** Outcomes by step id. */
  byId: Map<string, StepOutcome>;
  /** Source disk checksums at the moment each backup was taken, by manifest id. */
  sourceDisks: Map<string, { key: number; checksum: string }[]>;
  /** sql-transactions results by step id. */
  transactions: Map<string, { lastLsn: bigint; lastTime: Date }>;
  /** Faults this run set (cleared at the end, never anyone else's). */
  faultIds: Set<string>;
}

/** A failure of the run's own machinery (unknown VM, missing cloud...), as opposed to a proxy error. */
export class StepSetupError extends Error {}

export type { ProxyError };
