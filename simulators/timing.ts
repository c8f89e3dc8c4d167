/**
 * The lab's timing profile: how long simulated work takes (docs/scenarios.md, "Timing profiles").
 *   fast       no simulated durations: tasks finish as soon as their work is done (test suites)
 *   standard   short fixed delays (tens of ms), so WaitForUpdatesEx really waits (the default)
 *   realistic  vCenter-like task times (seconds), for demos and timeout tuning
 */
export type TimingProfile = 'fast' | 'standard' | 'realistic';

export const TIMING_PROFILES: readonly TimingProfile[] = ['fast', 'standard', 'realistic'];

export interface TaskDelays {
  /** queueTime -> startTime. */
  queuedMs: number;
  /** startTime -> completeTime, on top of the work itself. */
  runMs: number;
}

export interface Timing {
  readonly profile: TimingProfile;
  /** A vim25 task's delays, by method ("CreateSnapshot_Task"). */
  task(method: string): TaskDelays;
  /** An HttpNfcLease in "initializing" before "ready". */
  readonly leaseInitMs: number;
  /** ShutdownGuest / RebootGuest / StandbyGuest: the guest reaching its new state after the call returns. */
  readonly guestPowerMs: number;
  /** CloudCache write-back: how often it looks again while idle (new data wakes it at once in every profile). */
  readonly syncRecheckMs: number;
}

/**
 * Realistic task times, from vCenter 7/8 task lists of small VMs on local or SAN storage (the
 * Recent Tasks pane: queued for a fraction of a second, then seconds of running). Only the order of
 * magnitude is claimed; docs/scenarios.md lists the numbers and why.
 */
const REALISTIC_RUN_MS: Record<string, number> = {
  CreateSnapshot_Task: 2_000,
  RemoveSnapshot_Task: 3_000,
  RemoveAllSnapshots_Task: 3_000,
  RevertToSnapshot_Task: 3_000,
  PowerOnVM_Task: 1_500,
  PowerOffVM_Task: 1_000,
  SuspendVM_Task: 3_000,
  ResetVM_Task: 1_000,
  ReconfigVM_Task: 1_000,
  CreateVM_Task: 2_000,
  RegisterVM_Task: 2_000,
  CloneVM_Task: 10_000,
  Destroy_Task: 1_500,
};

const PROFILES: Record<TimingProfile, Omit<Timing, 'profile' | 'task'> & { queuedMs: number; runMs: (method: string) => number }> = {
  fast: { queuedMs: 0, runMs: () => 0, leaseInitMs: 0, guestPowerMs: 0, syncRecheckMs: 25 },
  standard: { queuedMs: 10, runMs: () => 25, leaseInitMs: 10, guestPowerMs: 25, syncRecheckMs: 250 },
  realistic: { queuedMs: 200, runMs: (m) => REALISTIC_RUN_MS[m] ?? 1_000, leaseInitMs: 1_000, guestPowerMs: 5_000, syncRecheckMs: 1_000 },
};

/** The timing of a profile (default "standard"); a bad name is a clear error. */
export function timingOf(profile: TimingProfile | undefined = 'standard'): Timing {
  const p = PROFILES[profile];
  if (!p) throw new Error(`timing must be one of ${TIMING_PROFILES.join(', ')}, not ${JSON.stringify(profile)}`);
  const { queuedMs, runMs, ...rest } = p;
  return { profile, ...rest, task: (method) => ({ queuedMs, runMs: runMs(method) }) };
}

/**
 * Runs `fn` after `ms`; with 0 (fast) on the next event-loop turn (setImmediate), so a task never
 * finishes inside the call that started it (vCenter always answers a *_Task call before the task runs).
 */
export function after(ms: number, fn: () => void): void {
  if (ms <= 0) setImmediate(fn).unref?.();
  else setTimeout(fn, ms).unref?.();
}
