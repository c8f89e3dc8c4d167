import { execFileSync, spawn } from 'node:child_process';

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * How long a child may run when the caller names no deadline: a guard against a hung child outliving
 * its test, not a guess of how fast this machine is (the same as vitest's test timeout).
 */
export const HANG_GUARD_MS = 300_000;

/** Runs an outside program (openssl, ntpdig, nmap, python3) with a deadline, never a shell. */
export function run(cmd: string, args: string[], opts: { input?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], env: opts.env ?? process.env, cwd: opts.cwd });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timeoutMs = opts.timeoutMs ?? HANG_GUARD_MS;
    const timer = setTimeout(() => {
      stderr += `\n[test helper] ${cmd} killed after ${timeoutMs} ms\n`;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    // A child that exits without reading its input closes the pipe first: the EPIPE of that write is
    // not the test's concern (its exit code and output are), and unheard it was an uncaught exception.
    child.stdin.on('error', () => {});
    child.stdin.end(opts.input ?? '');
  });
}

/**
 * Whether an outside program is on PATH (tests that need one skip with a reason when it is not).
 * When the run demands every peer (BPSIM_REQUIRE_PEERS=1, exported by .ci/run) a missing program
 * throws instead, so CI cannot go green with a peer silently absent.
 */
export function hasCommand(name: string): boolean {
  try {
    execFileSync('which', [name], { stdio: 'ignore' });
    return true;
  } catch {
    peerSkip(`${name} is not on PATH`);
    return false;
  }
}

/** A reason to skip an outside-peer test; with BPSIM_REQUIRE_PEERS=1 the reason is a failure instead. */
export function peerSkip(reason: string): string {
  if (reason && process.env.BPSIM_REQUIRE_PEERS === '1') throw new Error(`${reason}, and BPSIM_REQUIRE_PEERS=1: this run must not skip tests that need an outside peer`);
  return reason;
}

