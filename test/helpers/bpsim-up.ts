import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { randomInt } from 'node:crypto';
import { TEST_PKI_DIR } from './lab.ts';
import { bpsimArgv } from './bpsim-cli.ts';

export interface RunningUp {
  child: ChildProcess;
  /** The JSON line `bpsim up --json` printed once every listener was ready. */
  summary: { admin: { url: string }; caFile: string; endpoints: { component: string; bindAddress: string; port: number; transport: string }[]; [k: string]: unknown };
  block: string;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

/** `bpsim up --json --timing fast` in another process, on its own address block, as a suite in any language would start it. */
export async function startBpsimUp(opts: { args?: string[]; env?: Record<string, string> } = {}): Promise<RunningUp> {
  const block = `127.${randomInt(16, 250)}.${randomInt(0, 250)}`;
  const child = spawn(process.execPath, [...(await bpsimArgv()), 'up', '--json', '--address-block', block, '--pki-dir', TEST_PKI_DIR, '--timing', 'fast', ...(opts.args ?? [])], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...opts.env },
  });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`bpsim up exited (${code}) before it was ready: ${stderr}`)));
  });
  return {
    child,
    summary: JSON.parse(line),
    block,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}
