import { expect, test } from 'vitest';
import { bundledScenarios } from '../../scenarios/bundled.ts';
import { runScenario } from '../../scenarios/runner.ts';
import { readFileSync } from 'node:fs';
import { parseScenario } from '../../scenarios/loader.ts';
import { formatReport } from '../../scenarios/report.ts';
import { TEST_LAB_OPTIONS } from '../helpers/lab.ts';

/**
 * One test per bundled scenario, in two files (bundled-1/2.test.ts) so vitest runs the halves in
 * parallel. A failure prints the runner's own report: the expected/actual diff of each expectation.
 */
export function testBundledHalf(half: 0 | 1): void {
  const all = bundledScenarios();
  const mine = all.filter((_, i) => i % 2 === half);
  for (const s of mine) {
    test(`${s.name}: every expectation holds`, async () => {
      const report = await runScenario(s.name, { labOptions: TEST_LAB_OPTIONS });
      expect(report.failures, formatReport(report)).toBe(0);
      expect(report.steps.length).toBeGreaterThan(0);
    }, boundOf(s.file));
  }
}

/**
 * A scenario's bound comes from its work: each job step (a backup, restore or abandoned job) and
 * each `wait` gets what the suite gives a whole test (vitest.config.ts), so a loaded machine slows
 * a long scenario without failing it.
 */
function boundOf(file: string): number {
  const steps = parseScenario(readFileSync(file, 'utf8'), file).steps;
  return Math.max(1, steps.filter((st) => /-(backup|restore)$|^abandon-job$|^wait$/.test(st.type)).length) * 60_000;
}
