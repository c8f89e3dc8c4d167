import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Lab } from '../../simulators/lab.ts';

export type Step = Record<string, unknown> & { step: string };

/**
 * Runs a pyVmomi script (the independent client) against one endpoint of the lab. The script prints
 * one JSON step per line; `onNeed` answers its "need-..." steps (lab changes the SDK cannot make).
 */
export async function runPyvmomi(
  lab: Lab,
  script: string,
  target: { hostname: string; login: 'vcenter' | 'esxi' },
  extra: Record<string, unknown>,
  onNeed: (step: Step) => void | Promise<void>,
  timeoutMs = 240_000,
): Promise<{ code: number | null; stderr: string; steps: Record<string, Step> }> {
  const ep = lab.endpoints().find((e) => e.hostname === target.hostname && e.listener === 'https')!;
  const hosts = Object.fromEntries(lab.endpoints().filter((e) => e.kind === 'esxi' && e.listener === 'https').map((e) => [e.hostname, `${e.bindAddress}:${e.port}`]));
  const creds = lab.credentials[target.login]!;
  const cfgFile = join(lab.tempDir, `pyvmomi-${target.hostname}-${Date.now()}.json`);
  await writeFile(cfgFile, JSON.stringify({ host: ep.bindAddress, port: ep.port, ca: lab.caFile, user: creds.user, password: creds.password, hosts, ...extra }));
  const py = spawn('/usr/bin/python3', [script, cfgFile], { stdio: ['pipe', 'pipe', 'pipe'] });
  const steps: Record<string, Step> = {};
  let stderr = '';
  py.stderr.on('data', (d) => (stderr += d));
  const lines = createInterface({ input: py.stdout });
  lines.on('line', (line) => {
    const msg = JSON.parse(line) as Step;
    steps[msg.step] = msg;
    if (msg.step.startsWith('need-')) void Promise.resolve(onNeed(msg)).then(() => py.stdin.write('ok\n'));
  });
  const code = await new Promise<number | null>((resolve) => {
    const timer = setTimeout(() => py.kill(), timeoutMs);
    py.once('exit', (c) => {
      clearTimeout(timer);
      resolve(c);
    });
  });
  return { code, stderr, steps };
}
