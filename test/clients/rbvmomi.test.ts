import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Lab } from '../../simulators/lab.ts';
import { run } from '../helpers/run.ts';
import { startTestLab } from '../helpers/lab.ts';
import { clientTarget, judgeChecks, parseChecks, type CheckResult } from './outside-client.ts';

// rbvmomi 1.8 (Debian ruby-rbvmomi) is the truth here: its own SOAP serializer and type loader.
const SCRIPT = fileURLToPath(new URL('./rbvmomi/checks.rb', import.meta.url));
const ALL = ['connect', 'inventory', 'networks', 'find-path', 'property-collector', 'snapshot', 'task-wait', 'task-error', 'logout'];

/** Checks that wait on another room of issue 12; every other check must pass. */
const PENDING: Record<string, string> = {};

const probe = await run('ruby', ['-e', 'require "rbvmomi"']).catch(() => ({ code: 1, stderr: 'ruby not installed' }));
const skipReason = probe.code === 0 ? undefined : `rbvmomi not available (apt-get install ruby-rbvmomi): ${probe.stderr.trim()}`;

let lab: Lab;
beforeAll(async () => {
  if (!skipReason) lab = await startTestLab({ without: ['cloud', 'ntp', 'guests'] });
});
afterAll(async () => {
  await lab?.stop();
});

async function runChecks(target: 'vcenter' | 'esxi', caFile: string | undefined): Promise<{ code: number | null; results: Map<string, CheckResult>; stderr: string }> {
  const cfg = clientTarget(lab, target);
  // Its own file per run: two runs may be going at once.
  const file = join(lab.tempDir, `rbvmomi-${target}${caFile ? '' : '-no-ca'}.json`);
  writeFileSync(file, JSON.stringify(cfg));
  const env = { ...process.env };
  delete env.SSL_CERT_FILE;
  delete env.SSL_CERT_DIR;
  if (caFile) env.SSL_CERT_FILE = caFile;
  const res = await run('ruby', [SCRIPT, file], { env, timeoutMs: 5 * 60_000 });
  return { code: res.code, results: parseChecks(res.stdout), stderr: res.stderr };
}

describe.skipIf(!!skipReason)('rbvmomi 1.8 client suite', () => {
  // The refused run only reaches the TLS handshake and changes nothing: it runs beside the first run.
  test.concurrent('without the lab CA the same client refuses the server (the verification is real)', async ({ expect }) => {
    const { code, results } = await runChecks('vcenter', undefined);
    expect(code).not.toBe(0);
    expect(results.get('connect')?.ok).toBe(false);
    expect(results.get('connect')?.error).toMatch(/certificate verify failed/);
  }, 2 * 60_000);

  test.concurrent('against vCenter, TLS verified against the lab CA (insecure: false)', async ({ expect }) => {
    const { results, stderr } = await runChecks('vcenter', lab.caFile);
    expect(results.size, stderr).toBeGreaterThan(0);
    judgeChecks(results, ALL, PENDING, 'rbvmomi vcenter');
  }, 6 * 60_000);

  test('against a standalone ESXi host agent', async () => {
    const { results, stderr } = await runChecks('esxi', lab.caFile);
    expect(results.size, stderr).toBeGreaterThan(0);
    judgeChecks(results, ALL, PENDING, 'rbvmomi esxi');
  }, 6 * 60_000);
});
