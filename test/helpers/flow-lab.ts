import { afterAll, beforeAll, beforeEach, expect } from 'vitest';
import type { Lab, LabOptions } from '../../simulators/lab.ts';
import type { BackupProxy } from '../../proxy/backup-proxy.ts';
import type { ProgressUpdate } from '../../proxy/events.ts';
import { proxyFor } from '../../testing/proxy.ts';
import { startTestLab } from './lab.ts';

/** One lab and proxy shared by a file of flow tests, with what the proxy said during each test. */
export interface FlowLab {
  lab: Lab;
  proxy: BackupProxy;
  /** "level message" lines of the current test. */
  logs: string[];
  progress: ProgressUpdate[];
}

/**
 * Starts the lab and proxy before the file's tests and stops them after; before each test the log,
 * the progress events and the lab's faults are cleared. `setup` shapes the lab's world once.
 */
export function sharedFlowLab(options: LabOptions = {}, setup: (lab: Lab) => void = () => {}): FlowLab {
  const f = { logs: [], progress: [] } as unknown as FlowLab;
  beforeAll(async () => {
    f.lab = await startTestLab(options);
    f.proxy = proxyFor(f.lab);
    f.proxy.events.on('log', (l) => f.logs.push(`${l.level} ${l.message}`));
    f.proxy.events.on('progress', (p) => f.progress.push(p));
    setup(f.lab);
  });
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

/** The trace's last sequence number: what a test finds after it happened since. */
export const seqNow = (lab: Lab) => lab.recorder.last()?.seq ?? 0;

/** The error a call that must fail throws, to judge each field by itself. */
export const failure = (p: Promise<unknown>) =>
  p.then(
    () => expect.fail('the call succeeded'),
    (e: unknown) => e as Error & { errorClass: string; details: Record<string, unknown> },
  );
