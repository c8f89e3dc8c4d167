import { readFileSync } from 'node:fs';

/** Resident memory of a process in MiB, from /proc (Linux). */
export function rssMiB(pid: number): number {
  const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN);
  return kb / 1024;
}

/**
 * Waits (polling, bounded) until the process's RSS is within `factor` of `baseline`; resolves with
 * the last reading either way, so the caller asserts on it. No timing is asserted: the bound is
 * only how long we are willing to wait for the allocator to give memory back.
 */
export async function settledRss(pid: number, baseline: number, factor = 1.2, maxWaitMs = 30_000): Promise<number> {
  const until = Date.now() + maxWaitMs;
  let now = rssMiB(pid);
  while (now > baseline * factor && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 250));
    now = rssMiB(pid);
  }
  return now;
}
