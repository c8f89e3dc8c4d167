// A cache or state directory that cannot be used: the error names the directory and the option
// that moves it. (Tests run as root, who ignores permissions, so "unwritable" is a file where a
// directory is expected.)
import { expect, test } from 'vitest';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomInt } from 'node:crypto';
import { startLab } from '../../simulators/lab.ts';
import { TEST_PKI_DIR } from '../helpers/lab.ts';
import { run } from '../helpers/run.ts';
import { bpsimArgv } from '../helpers/bpsim-cli.ts';

const BPSIM = await bpsimArgv();

function aFile(): string {
  const file = join(tmpdir(), `bpsim-not-a-dir-${process.pid}-${randomInt(1e9)}`);
  writeFileSync(file, 'a file where a directory is expected\n');
  return file;
}

test('bpsim ca with an unusable PKI dir names it and --pki-dir', async () => {
  const dir = join(aFile(), 'pki');
  const r = await run(process.execPath, [...BPSIM, 'ca', '--pki-dir', dir]);
  expect(r.code).toBe(1);
  expect(r.stderr).toContain(`cannot use ${dir} as the PKI cache directory`);
  expect(r.stderr).toContain('ENOTDIR');
  expect(r.stderr).toContain('--pki-dir <dir>');
});

test('the default PKI dir under an unusable XDG_CACHE_HOME names the directory and the way out', async () => {
  const cache = aFile();
  const r = await run(process.execPath, [...BPSIM, 'ca', '--path'], { env: { ...process.env, XDG_CACHE_HOME: cache } });
  expect(r.code).toBe(1);
  expect(r.stderr).toContain(`cannot use ${join(cache, 'bpsim', 'pki')} as the PKI cache directory`);
  expect(r.stderr).toMatch(/--pki-dir <dir> \(library: pkiDir; or set XDG_CACHE_HOME\)/);
});

test('startLab with an unusable state dir names it and --state-dir, and leaves nothing running', async () => {
  const stateDir = join(aFile(), 'state');
  await expect(startLab({ stateDir, pkiDir: TEST_PKI_DIR })).rejects.toThrow(new RegExp(`cannot use ${stateDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} as the state directory .*--state-dir <dir>`));
});
