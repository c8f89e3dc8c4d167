import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../helpers/run.ts';
import { TEST_PKI_DIR } from '../helpers/lab.ts';
import { bpsimArgv } from '../helpers/bpsim-cli.ts';
import { bundledScenarios } from '../../scenarios/bundled.ts';

let dir: string;
/** Labs in these runs use the fast timing profile, as a test suite would (--timing fast). */
const FAST = ['--timing', 'fast'];
const BPSIM = await bpsimArgv();
const bpsim = (...args: string[]) => run(process.execPath, [...BPSIM, ...args], { timeoutMs: 60_000 });
/** The launcher itself (bin/bpsim.js: the sources through tsx in a checkout), as `npx bpsim` starts it here. */
const launcher = (...args: string[]) => run(process.execPath, ['bin/bpsim.js', ...args], { timeoutMs: 60_000 });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bpsim-run-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('bpsim run and list in a child process', () => {
  test('a bundled scenario passes with exit code 0 and writes the JSONL and Mermaid traces', async () => {
    const trace = join(dir, 'out.jsonl');
    const mermaid = join(dir, 'out.md');
    const r = await bpsim('run', 'vm-backup-incremental', ...FAST, '--pki-dir', TEST_PKI_DIR, '--trace', trace, '--mermaid', mermaid);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^PASS vm-backup-incremental: \d+ expectations held/m);
    const events = (await readFile(trace, 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    expect(events.some((e) => e.kind === 'request' && e.from === 'proxy' && e.to === 'vcenter' && /^QueryChangedDiskAreas/.test(e.summary))).toBe(true);
    const md = await readFile(mermaid, 'utf8');
    expect(md).toContain('```mermaid\nsequenceDiagram');
    expect(md).toMatch(/proxy->>vcenter: soap:443 CreateSnapshot_Task/);
  });

  test('a wrong expectation fails with exit code 1 and an expected/actual diff naming the step and field', async () => {
    const file = join(dir, 'wrong.yaml');
    await writeFile(
      file,
      [
        'name: wrong-expectation',
        'description: a full backup that claims to upload nothing',
        'steps:',
        '  - id: full',
        '    type: vm-backup',
        '    vm: web01',
        '    expect: { blocksUploaded: 0, target: cloud }',
        '',
      ].join('\n'),
    );
    const r = await bpsim('run', file, ...FAST, '--pki-dir', TEST_PKI_DIR);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/FAIL step 0 full: vm-backup succeeded/);
    const diff = /blocksUploaded\n\s+expected: 0\n\s+actual:\s+(\d+)/.exec(r.stdout);
    expect(diff, r.stdout).not.toBeNull();
    expect(Number(diff![1])).toBeGreaterThan(0);
    expect(r.stdout).toMatch(/target\n\s+expected: cloud\n\s+actual:\s+cloudcache/);
    expect(r.stdout).toMatch(/^FAIL wrong-expectation: 2 of \d+ expectations failed/m);

    const json = await bpsim('run', file, ...FAST, '--pki-dir', TEST_PKI_DIR, '--json');
    expect(json.code, json.stderr).toBe(1);
    // A run that failed for another reason (a lab that did not start) says why on stderr and prints no report.
    expect(json.stdout, json.stderr).toMatch(/^\{/);
    const report = JSON.parse(json.stdout);
    expect(report).toMatchObject({ name: 'wrong-expectation', passed: false, failures: 2 });
    expect(report.steps[0].expectations.filter((e: { passed: boolean }) => !e.passed).map((e: { what: string }) => e.what)).toEqual(['blocksUploaded', 'target']);
  });

  test('an invalid scenario file names the file, line and field, and exits 1 without starting a lab', async () => {
    const file = join(dir, 'invalid.yaml');
    await writeFile(file, ['name: invalid', 'description: typo in a step type', 'steps:', '  - type: vm-backup', '    vm: web01', '  - type: vm-bakup', '    vm: web01', ''].join('\n'));
    const r = await bpsim('run', file);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${file}:6: steps[1].type: must be one of vm-backup, sql-backup,`);
    expect(r.stdout).toBe('');
  });

  test('bpsim list (through bin/bpsim.js) shows every bundled scenario with its description; --help documents run', async () => {
    const r = await launcher('list');
    expect(r.code).toBe(0);
    const all = bundledScenarios();
    expect(all.length).toBeGreaterThanOrEqual(15);
    for (const s of all) expect(r.stdout).toMatch(new RegExp(`^${s.name} +\\S`, 'm'));
    const help = await bpsim('run', '--help');
    expect(help.stdout).toMatch(/--trace <file>/);
    expect(help.stdout).toMatch(/--timing <profile>/);
    expect(help.stdout).toMatch(/--mermaid <file>/);
    expect(help.stdout).toMatch(/--json/);
  });
});
