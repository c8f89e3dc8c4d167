import { cpus, type CpuInfo } from 'node:os';

/**
 * CPU seconds every core of the machine has spent busy (user, nice, system, irq) since boot.
 * Taken around a measurement and less the bench's own processes' CPU seconds, it says how much of
 * the machine other work took meanwhile. The load average cannot: it counts the bench's own two busy
 * processes too, and lags by a minute.
 */
export function machineBusySeconds(cores: Pick<CpuInfo, 'times'>[] = cpus()): number {
  let ms = 0;
  for (const c of cores) ms += c.times.user + c.times.nice + c.times.sys + c.times.irq;
  return ms / 1000;
}

/** Cores other processes kept busy over `wallSeconds`, given the machine's busy seconds before and after and the bench's own CPU seconds. */
export function otherCores(busyBefore: number, busyAfter: number, ownCpuSeconds: number, wallSeconds: number): number {
  return wallSeconds > 0 ? Math.max(0, busyAfter - busyBefore - ownCpuSeconds) / wallSeconds : 0;
}
