import { expect, test } from 'vitest';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

test.runIf(process.platform === 'linux')('a child started by a parent holding 400 MiB reports its own peak, not the parent\'s', () => {
  // The parent fills 400 MiB (resident), then starts a child that reads both measures of its peak.
  const child = `import { peakRssMiB } from './bench/peak-rss.ts'; console.log(JSON.stringify({ own: peakRssMiB(), maxRSS: process.resourceUsage().maxRSS / 1024 }));`;
  const parent = `const b = Buffer.alloc(400 * 1024 * 1024, 1); const r = require('node:child_process').spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', ${JSON.stringify(child)}], { encoding: 'utf8' }); process.stdout.write(r.stdout + r.stderr); b[0];`;
  const r = spawnSync(process.execPath, ['-e', parent], { cwd: ROOT, encoding: 'utf8' });
  const got = JSON.parse(r.stdout) as { own: number; maxRSS: number };
  // The trap this avoids: getrusage's maxRSS survives exec, so the child "peaked" at the parent's 400 MiB.
  expect(got.maxRSS).toBeGreaterThan(400);
  expect(got.own).toBeGreaterThan(10);
  expect(got.own).toBeLessThan(250);
});
