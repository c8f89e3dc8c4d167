import { expect, test } from 'vitest';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const bench = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'bench/run.ts', ...args], { cwd: ROOT, encoding: 'utf8' });

test('--only with a text no part name contains: exit 2 and the list of parts, not an empty table', () => {
  const r = bench('--only', 'data');
  expect(r.status).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr).toBe('bench: no part matches --only data; the parts: lab start, cli start, soap, nfc, backup, concurrent, trace, web view, fast job, scale\n');
});
