// Every example block of README.md and docs/ (sh, console, ts, js, yaml) is either run by a test or
// says why it cannot be (```sh not-runnable: needs docker), so no example is silently unrun and the
// docs cannot drift. Here: YAML scenarios run in a lab and must pass; sh blocks run in bash with
// `bpsim` on PATH and must exit 0; console transcripts run each `$ ` line and must print what the
// doc shows. A block tagged `run-by=<test file>` is run by that test (its own lab or package).
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { basename, join } from 'node:path';
import { tmpdir } from 'node:os';
import { run } from '../helpers/run.ts';
import { parseScenario, ScenarioError } from '../../scenarios/loader.ts';
import { runScenario } from '../../scenarios/runner.ts';
import { TEST_PKI_DIR } from '../helpers/lab.ts';
import { bpsimArgv } from '../helpers/bpsim-cli.ts';
import { EXAMPLE_LANGS, fencedBlocks, notRunnableReason, runBy, runnableBlocks } from './blocks.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const docs = ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
const blocks = docs.flatMap((file) => runnableBlocks(readFileSync(join(ROOT, file), 'utf8')).map((b) => ({ file, ...b })));
const allBlocks = docs.flatMap((file) => fencedBlocks(readFileSync(join(ROOT, file), 'utf8')).map((b) => ({ file, ...b })));
const here = blocks.filter((b) => !runBy(b));

describe('every example is run or says why not', () => {
  test('each sh/console/ts/js/yaml block is runnable or not-runnable with a reason', () => {
    const unmarked: string[] = [];
    for (const b of allBlocks.filter((x) => EXAMPLE_LANGS.includes(x.lang))) {
      const runnable = b.tags.includes('runnable');
      const reason = notRunnableReason(b);
      if (runnable === (reason !== undefined) || (reason !== undefined && reason.split(/\s+/).length < 2)) unmarked.push(`${b.file}:${b.line} ${b.lang} ${b.info}`);
    }
    expect(unmarked, 'mark each as `runnable` or `not-runnable: <reason>`').toEqual([]);
    expect(allBlocks.filter((b) => notRunnableReason(b)).length).toBeGreaterThan(40);
  });

  test('a shell transcript is never hidden in an untagged fence', () => {
    const hidden = allBlocks.filter((b) => !EXAMPLE_LANGS.includes(b.lang) && /^\$ /m.test(b.body)).map((b) => `${b.file}:${b.line}`);
    expect(hidden, 'tag these ```console (runnable or not-runnable: reason)').toEqual([]);
  });

  test('a block run by another test names a test file that exists and refers to the doc', () => {
    for (const b of blocks.filter((x) => runBy(x))) {
      const file = join(ROOT, runBy(b)!);
      expect(existsSync(file), `${b.file}:${b.line} run-by=${runBy(b)}`).toBe(true);
      expect(readFileSync(file, 'utf8'), `${runBy(b)} should name ${b.file}`).toContain(basename(b.file));
    }
  });

  test('the runnable ones here are in a language this test runs', () => {
    expect(here.length).toBeGreaterThan(1);
    for (const b of here) expect(['yaml', 'sh', 'console'], `${b.file}:${b.line}`).toContain(b.lang);
  });
});

describe('runnable shell examples', () => {
  // A scratch directory as the working directory, with `bpsim` on PATH (this checkout's CLI, bundled:
  // test/helpers/bpsim-cli.ts) and the files the examples name: my-scenario.yaml is the runnable
  // scenario of docs/scenarios.md.
  let cwd: string;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    cwd = mkdtempSync(join(tmpdir(), 'bpsim-doc-sh-'));
    const bin = join(cwd, '.bin');
    mkdirSync(bin);
    const argv = [process.execPath, ...(await bpsimArgv())].map((a) => `"${a}"`).join(' ');
    writeFileSync(join(bin, 'bpsim'), `#!/bin/sh\nexec ${argv} "$@"\n`);
    chmodSync(join(bin, 'bpsim'), 0o755);
    writeFileSync(join(cwd, 'my-scenario.yaml'), blocks.find((b) => b.lang === 'yaml' && b.file === 'docs/scenarios.md')!.body);
    env = { ...process.env, PATH: `${bin}:${process.env.PATH}`, XDG_CACHE_HOME: join(TEST_PKI_DIR, '..', 'doc-cache') };
  });
  afterAll(() => rmSync(cwd, { recursive: true, force: true }));

  /** Fixed paths of the docs (/tmp/dx, /tmp/lab) move into the scratch directory. */
  const local = (text: string) => text.replace(/\/tmp\/(dx|lab)\b/g, (_m, d) => join(cwd, d));
  const commandsOf = (body: string) => body.split('\n').filter((l) => l.trim() && !l.trim().startsWith('#'));
  // Each command line is real work (a lab, a scenario run): the deadline grows with the lines, not with a guess.
  const PER_COMMAND_MS = 60_000;

  for (const b of here.filter((x) => x.lang === 'sh')) {
    test(`${b.file}:${b.line} runs and exits 0`, async () => {
      const r = await run('bash', ['-euo', 'pipefail', '-c', local(b.body)], { cwd, env, timeoutMs: PER_COMMAND_MS * commandsOf(b.body).length });
      expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    }, PER_COMMAND_MS * commandsOf(b.body).length + 10_000);
  }

  for (const b of here.filter((x) => x.lang === 'console')) {
    // `$ command` lines, each followed by the output the doc shows for it.
    const steps = b.body.split(/^\$ /m).filter(Boolean).map((chunk) => {
      const [command, ...out] = chunk.replace(/\n$/, '').split('\n');
      return { command: command!.replace(/\s+#.*$/, ''), output: out.join('\n') };
    });
    test(`${b.file}:${b.line} prints what the doc shows`, async () => {
      for (const step of steps) {
        const r = await run('bash', ['-euo', 'pipefail', '-c', local(step.command)], { cwd, env, timeoutMs: PER_COMMAND_MS });
        expect(r.code, `${step.command}\n${r.stderr}`).toBe(0);
        // Line by line, trailing blanks aside (openssl ends some lines with a space the doc does not keep).
        const lines = (t: string) => t.trim().split('\n').map((l) => l.trimEnd());
        expect(lines(r.stdout + r.stderr), step.command).toEqual(lines(local(step.output)));
      }
    }, PER_COMMAND_MS * steps.length + 10_000);
  }
});

describe('runnable doc examples', () => {
  for (const b of blocks.filter((x) => x.lang === 'yaml')) {
    test(`${b.file}:${b.line} scenario passes`, async () => {
      const report = await runScenario(parseScenario(b.body, `${b.file}:${b.line}`), { labOptions: { pkiDir: TEST_PKI_DIR } });
      expect(report.failures, JSON.stringify(report.steps, null, 2)).toBe(0);
    });
  }
  test('the same example with cloudcache left out is rejected at its fault, as the admin API rejects a fault on an absent component', () => {
    const yaml = blocks.find((x) => x.lang === 'yaml')!.body.replace(/without: \[\]/, 'without: [cloudcache]');
    let problems: { field: string; message: string }[] = [];
    try {
      parseScenario(yaml);
    } catch (err) {
      problems = (err as ScenarioError).problems;
    }
    expect(problems).toContainEqual(expect.objectContaining({ field: 'faults[0].target', message: expect.stringMatching(/^no component "cloudcache" in this lab/) }));
  });

  // The README's ts block runs under plain node from the packed package: test/package/consumer.test.ts.
});
