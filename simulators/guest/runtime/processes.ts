import type { GuestProcess } from '../contract.ts';
import type { GuestOs } from '../../core/codecs/guest-bundle.ts';

/** ListProcessesInGuest keeps exited processes this long (vSphere: "a few minutes"). */
export const EXIT_RETENTION_MS = 5 * 60_000;

interface Entry extends GuestProcess {
  onTerminate?: () => Promise<void>;
}

const BASE: Record<GuestOs, [string, string][]> = {
  windows: [
    ['System', 'NT AUTHORITY\\SYSTEM'],
    ['smss.exe', 'NT AUTHORITY\\SYSTEM'],
    ['csrss.exe', 'NT AUTHORITY\\SYSTEM'],
    ['wininit.exe', 'NT AUTHORITY\\SYSTEM'],
    ['services.exe', 'NT AUTHORITY\\SYSTEM'],
    ['lsass.exe', 'NT AUTHORITY\\SYSTEM'],
    ['svchost.exe', 'NT AUTHORITY\\NETWORK SERVICE'],
    ['vmtoolsd.exe', 'NT AUTHORITY\\SYSTEM'],
  ],
  linux: [
    ['systemd', 'root'],
    ['sshd', 'root'],
    ['vmtoolsd', 'root'],
  ],
};

/** The guest's processes: what StartProgramInGuest adds and ListProcessesInGuest shows. */
export class ProcessTable {
  private readonly procs = new Map<number, Entry>();
  private nextPid: number;

  constructor(os: GuestOs, extra: [string, string][] = []) {
    this.nextPid = os === 'windows' ? 4 : 1;
    const boot = new Date();
    for (const [name, owner] of [...BASE[os], ...extra]) {
      const pid = this.allocate();
      this.procs.set(pid, { pid, name, owner, cmdLine: name, startTime: boot });
    }
    this.nextPid = os === 'windows' ? 4200 : 2100;
  }

  private allocate(): number {
    const pid = this.nextPid;
    this.nextPid += 4;
    return pid;
  }

  spawn(name: string, cmdLine: string, owner: string, onTerminate?: () => Promise<void>): GuestProcess {
    const pid = this.allocate();
    const p: Entry = { pid, name, owner, cmdLine, startTime: new Date(), onTerminate };
    this.procs.set(pid, p);
    return p;
  }

  exit(pid: number, exitCode: number): void {
    const p = this.procs.get(pid);
    if (!p || p.endTime) return;
    p.endTime = new Date();
    p.exitCode = exitCode;
    p.onTerminate = undefined;
  }

  running(pid: number): Entry | undefined {
    const p = this.procs.get(pid);
    return p && !p.endTime ? p : undefined;
  }

  list(pids?: number[]): GuestProcess[] {
    const cutoff = Date.now() - EXIT_RETENTION_MS;
    for (const [pid, p] of this.procs) if (p.endTime && p.endTime.getTime() < cutoff) this.procs.delete(pid);
    const want = pids?.length ? new Set(pids) : undefined;
    return [...this.procs.values()].filter((p) => !want || want.has(p.pid)).map(({ onTerminate: _t, ...p }) => ({ ...p }));
  }

  /** Power off: every process ends. */
  all(): Entry[] {
    return [...this.procs.values()].filter((p) => !p.endTime);
  }
}
