import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Lab } from '../../simulators/lab.ts';
import { hasCommand, run } from '../helpers/run.ts';
import { startTestLab } from '../helpers/lab.ts';
import { buildGoProgram, goAvailable, type GoBinary } from './go-build.ts';
import { clientTarget, judgeChecks, parseChecks, type CheckResult } from './outside-client.ts';

// govmomi 0.24 (Debian) is the truth here: a Go program built on it runs named checks against
// vCenter and against a standalone ESXi host agent, as users' own Go backup software would.
const SRC = fileURLToPath(new URL('./govmomi/', import.meta.url));

const ALL = ['session-probe', 'login', 'inventory', 'find-path', 'find-uuid', 'properties', 'events', 'tasks', 'guest-transfer', 'datastore-download', 'vm-lifecycle', 'tags', 'keepalive', 'logout'];

/**
 * Checks that wait on another room of issue 12 (each with the room it waits on). A check listed
 * here may fail; every other check must pass. Remove an entry once its room has landed.
 */
const PENDING: Record<string, string> = {};

const skipReason = !hasCommand('go') ? 'go not installed (apt-get install golang-go)' : goAvailable();

let lab: Lab;
let binary: GoBinary;
beforeAll(async () => {
  if (skipReason) return;
  binary = await buildGoProgram(SRC, 'govmomi-checks');
  if (binary.built) console.log(`govmomi checks: built in ${(binary.buildMs / 1000).toFixed(1)} s (minutes when the Go build cache is cold)`);
  lab = await startTestLab({ without: ['cloud', 'ntp', 'guests'] });
}, 20 * 60_000);
afterAll(async () => {
  await lab?.stop();
});

async function runChecks(target: 'vcenter' | 'esxi'): Promise<Map<string, CheckResult>> {
  const cfg = clientTarget(lab, target);
  const file = join(lab.tempDir, `govmomi-${target}.json`);
  writeFileSync(file, JSON.stringify(cfg));
  const res = await run(binary.path, [file], { timeoutMs: 10 * 60_000 });
  const results = parseChecks(res.stdout);
  if (results.size === 0) throw new Error(`govmomi-checks printed no results (exit ${res.code}):\n${res.stderr}`);
  return results;
}

describe.skipIf(!!skipReason)('govmomi 0.24 client suite', () => {
  test('against vCenter', async () => {
    judgeChecks(await runChecks('vcenter'), ALL, PENDING, 'govmomi vcenter');
  }, 12 * 60_000);

  test('against a standalone ESXi host agent', async () => {
    const results = await runChecks('esxi');
    expect(results.get('tags')?.skip).toBe(true);
    judgeChecks(results, ALL, PENDING, 'govmomi esxi');
  }, 12 * 60_000);
});
