import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../..', import.meta.url));

export interface Started {
  name: string;
  child: ChildProcess;
  /** The `{"ready": true, ...}` line. */
  ready: Record<string, unknown>;
  stderr(): string;
  /** SIGTERM, then the exit code (SIGKILL after the deadline). */
  stop(): Promise<number | null>;
  /** The exit code of a one-shot that ends by itself. */
  exited: Promise<number | null>;
}

/** Runs a compose command line (entrypoint + command) here, until it prints its ready line or the deadline passes. */
// Both deadlines only end a process that hangs: at load 34 here a dozen services took 44 s to be
// ready, and a stop waits on the CPU like anything else.
const STOP_GRACE_MS = 120_000;

export function startCommand(name: string, argv: string[], deadlineMs = 280_000): Promise<Started> {
  const [exe, ...args] = argv;
  const child = spawn(exe!, args, { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    const code = await exited;
    clearTimeout(timer);
    return code;
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`${name}: no ready line within ${deadlineMs} ms; stderr: ${err}`));
    }, deadlineMs);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.startsWith('{') && l.includes('"ready":true'));
      if (!line) return;
      clearTimeout(timer);
      child.stdout!.removeAllListeners('data');
      child.stdout!.resume();
      resolve({ name, child, ready: JSON.parse(line), stderr: () => err, stop, exited });
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${name}: exited with ${code} before it was ready; stderr: ${err}`));
    });
  });
}
