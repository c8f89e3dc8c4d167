// Every fenced block marked `runnable` in README.md and docs/ runs here, so the docs cannot drift:
// YAML scenarios run in a lab and must pass; ts/js blocks run as ES modules against the library.
import { describe, expect, test } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { parseScenario, ScenarioError } from '../../scenarios/loader.ts';
import { runScenario } from '../../scenarios/runner.ts';
import { TEST_PKI_DIR } from '../helpers/lab.ts';
import { runnableBlocks } from './blocks.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const docs = ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
const blocks = docs.flatMap((file) => runnableBlocks(readFileSync(join(ROOT, file), 'utf8')).map((b) => ({ file, ...b })));

describe('runnable doc examples', () => {
  test('there are some, each in a language this test runs', () => {
    expect(blocks.length).toBeGreaterThan(1);
    for (const b of blocks) expect(['yaml', 'ts', 'js'], `${b.file}:${b.line}`).toContain(b.lang);
  });

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
