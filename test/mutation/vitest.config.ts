import { defineConfig } from 'vitest/config';

/** The test files of one mutation module (BPSIM_MUTATE_TESTS, comma-separated globs), set by test/mutation/run.mjs. */
export default defineConfig({
  test: {
    include: (process.env.BPSIM_MUTATE_TESTS ?? 'test/golden/*.test.ts').split(','),
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
