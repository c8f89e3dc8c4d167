import { afterAll, beforeAll, expect, test } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/*
 * `npm run mutate:combine` against hand-made Stryker reports in a scratch tree: the union of the
 * parts' verdicts per mutant, counted by hand below. The tree holds the real proxy/flows/ file names
 * (the `flows` module's glob is read from disk) and reports for some of its parts.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const COMBINE = join(ROOT, 'test/mutation/combine.mjs');
let dir: string;

const mutant = (line: number, status: string, replacement = 'x') => ({ id: `${line}${status}`, mutatorName: 'M', replacement, status, location: { start: { line, column: 1 }, end: { line, column: 5 } } });
const report = (files: Record<string, ReturnType<typeof mutant>[]>) => JSON.stringify({ schemaVersion: '1.0', files: Object.fromEntries(Object.entries(files).map(([f, mutants]) => [f, { language: 'typescript', source: '', mutants }])) });
/** The report's lines, to look for several at once. */
const lines = (text: string) => text.split('\n');
const combine = () => spawnSync(process.execPath, [COMBINE, 'flows'], { cwd: dir, encoding: 'utf8' });

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'bpsim-combine-'));
  mkdirSync(join(dir, 'proxy/flows'), { recursive: true });
  for (const f of readdirSync(join(ROOT, 'proxy/flows'))) writeFileSync(join(dir, 'proxy/flows', f), '');
  mkdirSync(join(dir, 'reports/mutation'), { recursive: true });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('a part without a report: named, the files it measures not counted, exit 1', () => {
  writeFileSync(join(dir, 'reports/mutation/flows-blocks.json'), report({
    // 3 killed, 1 timeout (detected), 1 survived, 1 no coverage, 1 compile error (not counted): 4 of 6.
    'proxy/flows/blocks.ts': [mutant(1, 'Killed'), mutant(2, 'Killed'), mutant(3, 'Killed'), mutant(4, 'Timeout'), mutant(5, 'Survived'), mutant(6, 'NoCoverage'), mutant(7, 'CompileError')],
    'proxy/flows/resumable-read.ts': [mutant(1, 'Survived')],
  }));
  const r = combine();
  expect(r.status).toBe(1);
  expect(lines(r.stdout)).toEqual(expect.arrayContaining([
    '  proxy/flows/blocks.ts: 4/6 66.67 % (flows-blocks)',
    '  proxy/flows/resumable-read.ts: 0/1 0.00 % (flows-blocks)',
    '  proxy/flows/vm-backup.ts: not measured (flows-vm-backup has no report)',
    '  proxy/flows/context.ts: not measured (in no part)',
    'flows: 4 of 7 mutants detected, 57.14 % (a lower bound of the whole run\'s score)',
    '  note: flows-preflight: no report (run: npm run mutate -- flows-preflight)',
  ]));
});

test('every part reported: per-file scores, the total over all files, and a file only the whole run knows has no mutants', () => {
  const empty = (files: string[]) => Object.fromEntries(files.map((f) => [`proxy/flows/${f}`, [] as ReturnType<typeof mutant>[]]));
  writeFileSync(join(dir, 'reports/mutation/flows-preflight.json'), report({ ...empty(['find-vm.ts', 'probe-guest.ts']), 'proxy/flows/preflight.ts': [mutant(1, 'Killed'), mutant(2, 'Survived')] }));
  writeFileSync(join(dir, 'reports/mutation/flows-vm-backup.json'), report({ ...empty(['data-target.ts', 'nfc-session.ts']), 'proxy/flows/vm-backup.ts': [mutant(9, 'Timeout')] }));
  writeFileSync(join(dir, 'reports/mutation/flows-sql-backup.json'), report(empty(['guest-session.ts', 'sql-backup.ts'])));
  writeFileSync(join(dir, 'reports/mutation/flows-restore.json'), report({ 'proxy/flows/sql-restore.ts': [mutant(1, 'NoCoverage'), mutant(1, 'Killed', 'y')] }));
  // The whole module's own (older) report lists no context.ts: it has no mutants.
  writeFileSync(join(dir, 'reports/mutation/flows.json'), report({ 'proxy/flows/blocks.ts': [mutant(1, 'Killed')] }));
  const r = combine();
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  // blocks 4/6, resumable-read 0/1, preflight 1/2, vm-backup 1/1, sql-restore 1/2: 7 of 12.
  expect(lines(r.stdout)).toEqual(expect.arrayContaining([
    '  proxy/flows/preflight.ts: 1/2 50.00 % (flows-preflight)',
    '  proxy/flows/find-vm.ts: no mutants (flows-preflight)',
    '  proxy/flows/vm-backup.ts: 1/1 100.00 % (flows-vm-backup)',
    '  proxy/flows/sql-restore.ts: 1/2 50.00 % (flows-restore)',
    '  proxy/flows/context.ts: no mutants (reports/mutation/flows.json)',
    'flows: 7 of 12 mutants detected, 58.33 % (a lower bound of the whole run\'s score)',
  ]));
  expect(r.stdout).not.toContain('note:');
});

test('a module that is not a whole one: usage and exit 2', () => {
  const r = spawnSync(process.execPath, [COMBINE, 'flows-blocks'], { cwd: dir, encoding: 'utf8' });
  expect(r.status).toBe(2);
  expect(r.stderr).toMatch(/^usage: npm run mutate:combine -- <module>; one of guest-sql, disk, cloud, codecs-nfc, codecs-streams, codecs-vim25, flows\n$/);
});
