import { readFileSync } from 'node:fs';

/**
 * This process's peak resident memory in MiB. Linux's VmHWM belongs to the process's own address
 * space, made anew at exec; getrusage's maxRSS (process.resourceUsage) is kept across exec, so a
 * child forked by a bench parent that had grown to 4 GiB reported 4 GiB for a lab of 400 MiB.
 * maxRSS only where /proc is missing.
 */
export function peakRssMiB(): number {
  try {
    const kb = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    if (kb) return Number(kb) / 1024;
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS / 1024;
}
