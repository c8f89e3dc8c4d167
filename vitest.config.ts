import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // In the repo, `bpsim` and `bpsim/vitest` are the TypeScript sources (package.json points installs at dist/).
  resolve: {
    alias: [
      { find: /^bpsim$/, replacement: fileURLToPath(new URL('./index.ts', import.meta.url)) },
      { find: /^bpsim\/vitest$/, replacement: fileURLToPath(new URL('./testing/vitest.ts', import.meta.url)) },
    ],
  },
  test: {
    include: ['test/**/*.test.ts'],
    // Tests open real sockets and start real TLS servers: generous per-test time, no timing assertions.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Most test time is spent waiting on sockets, child processes and timers, not CPU: vitest's
    // default on this 2-core machine (cores - 1 = one worker) leaves the CPU idle. Three files at a
    // time keeps the suite near a minute without starving the servers under test.
    maxWorkers: 3,
  },
});
