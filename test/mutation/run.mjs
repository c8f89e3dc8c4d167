// npm run mutate [-- module ...]: StrykerJS over each module in turn (all when none is named).
import { spawnSync } from 'node:child_process';
import { MODULES } from './modules.mjs';

// Without names: the whole modules (not the single-file subsets listed first).
const names = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(MODULES).filter((n) => !MODULES[n].subset);
let failed = 0;
for (const name of names) {
  const mod = MODULES[name];
  if (!mod) {
    console.error(`unknown module ${name}; one of ${Object.keys(MODULES).join(', ')}`);
    process.exit(2);
  }
  console.log(`\n=== mutation testing ${name}: ${mod.mutate.join(' ')} (tests: ${mod.tests.join(' ')})`);
  const r = spawnSync('npx', ['stryker', 'run', 'test/mutation/stryker.config.mjs'], {
    stdio: 'inherit',
    env: { ...process.env, BPSIM_MUTATE_MODULE: name, BPSIM_MUTATE_TESTS: mod.tests.join(',') },
  });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
