import { MODULES } from './modules.mjs';

// One module per run (BPSIM_MUTATE_MODULE), chosen by test/mutation/run.mjs.
const name = process.env.BPSIM_MUTATE_MODULE ?? 'guest-sql';
const mod = MODULES[name];
if (!mod) throw new Error(`unknown mutation module ${name}; one of ${Object.keys(MODULES).join(', ')}`);

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  plugins: ['@stryker-mutator/vitest-runner'],
  vitest: { configFile: 'test/mutation/vitest.config.ts', related: false },
  mutate: mod.mutate,
  coverageAnalysis: 'perTest',
  concurrency: Number(process.env.BPSIM_MUTATE_CONCURRENCY ?? 1),
  timeoutMS: 60_000,
  timeoutFactor: 3,
  reporters: ['clear-text', 'progress-append-only', 'json'],
  jsonReporter: { fileName: `reports/mutation/${name}.json` },
  // A re-run after new tests only tests again the mutants whose code or covering tests changed
  // (BPSIM_MUTATE_FULL=1 measures everything afresh).
  incremental: !process.env.BPSIM_MUTATE_FULL,
  incrementalFile: `reports/mutation/${name}.incremental.json`,
  tempDirName: `.stryker-tmp/${name}`,
  ignorePatterns: ['reports', '.stryker-tmp', 'bench/out', '*.log'],
  cleanTempDir: 'always',
};
