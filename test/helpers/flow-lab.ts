import { beforeAll, afterAll, beforeEach, expect } from 'vitest';
import type { Lab, LabOptions } from '../../simulators/lab.ts';
import type { BackupProxy } from '../../proxy/backup-proxy.ts';
import type { ProgressUpdate } from '../../proxy/events.ts';
import { proxyFor } from '../../testing/proxy.ts';
import { startTestLab } from './lab.ts';

export interface FlowLab {
  lab: Lab;
  proxy: BackupProxy;
  /** The proxy's log lines of the running test, as "level message". */
  logs: string[];
  /** The proxy's progress events of the running test. */
  progress: ProgressUpdate[];
  /** The trace's last sequence number: pass as `since` to see what a step sent. */
  seqNow(): number;
}

/**
 * One lab and one proxy shared by a test file that judges a flow's decisions: started before the
 * file (then `setup`, e.g. the backups the tests restore), stopped after it; before each test the
 * collected log lines and progress events are emptied and the lab's faults cleared.
 */
export function flowLab(options: LabOptions, setup: (f: FlowLab) => Promise<void> = async () => {}): FlowLab {
  const f = { logs: [], progress: [], seqNow: () => f.lab.recorder.last()?.seq ?? 0 } as unknown as FlowLab;
  beforeAll(async () => {
    f.lab = await startTestLab(options);
    f.proxy = proxyFor(f.lab);
    f.proxy.events.on('log', (l) => f.logs.push(`${l.level} ${l.message}`));
    f.proxy.events.on('progress', (p) => f.progress.push(p));
    await setup(f);
  }, 120_000);
  afterAll(async () => {
    f.proxy?.close();
    await f.lab?.stop();
  });
  beforeEach(() => {
    f.logs.length = 0;
    f.progress.length = 0;
    f.lab.faults.clear();
  });
  return f;
}

/** The error a job that must fail throws, to judge each field by itself. */
export function failure(p: Promise<unknown>): Promise<Error & { errorClass: string; details: Record<string, unknown> }> {
  return p.then(
    () => expect.fail('the job passed'),
    (e: unknown) => e as Error & { errorClass: string; details: Record<string, unknown> },
  );
}
