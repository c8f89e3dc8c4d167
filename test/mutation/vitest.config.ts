import { relative } from 'node:path';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/** The test files of one mutation module (BPSIM_MUTATE_TESTS, comma-separated globs), set by test/mutation/run.mjs. */
const globs = (process.env.BPSIM_MUTATE_TESTS ?? 'test/golden/*.test.ts').split(',');

/** `*` within one path segment, `**` across segments: the only glob forms modules.mjs uses. */
const globRegExp = (g: string) =>
  new RegExp('^' + g.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*\*\/?/g, '\0').replace(/\*/g, '[^/]*').replace(/\0/g, '.*') + '$');
const patterns = globs.map(globRegExp);
const rank = (spec: TestSpecification) => {
  const rel = relative(process.cwd(), spec.moduleId).split('\\').join('/');
  const i = patterns.findIndex((p) => p.test(rel));
  return i < 0 ? patterns.length : i;
};

/**
 * Files run in the order modules.mjs lists them (fast unit files first), not vitest's default
 * (slowest first): Stryker bails at the first failing test, so a mutant a unit file kills never
 * loads the lab-starting files listed after it. Each file's module graph is loaded afresh on every
 * run (measured: `isolate: false` does not keep it between Stryker's runs), so loading is the cost.
 */
class ListedOrder extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    return [...files].sort((a, b) => rank(a) - rank(b));
  }
}

export default defineConfig({
  test: {
    include: globs,
    sequence: { sequencer: ListedOrder },
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
