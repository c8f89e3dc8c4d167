import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/**
 * Files that must not share a process with others: a module mock (vi.mock replaces a module for
 * the whole process: in a shared one it would reach files after it, or miss a module an earlier
 * file loaded) and the tests that measure this process's own memory.
 */
const ISOLATED = [
  'test/proxy/resumable-read.test.ts',
  'test/nfc/bad-input.test.ts',
  'test/disk/disk-model.test.ts',
];

export default defineConfig({
  // In the repo, `bpsim` and `bpsim/vitest` are the TypeScript sources (package.json points installs at dist/).
  resolve: {
    alias: [
      { find: /^bpsim$/, replacement: fileURLToPath(new URL('./index.ts', import.meta.url)) },
      { find: /^bpsim\/vitest$/, replacement: fileURLToPath(new URL('./testing/vitest.ts', import.meta.url)) },
    ],
  },
  test: {
    // Tests open real sockets and start real TLS servers. The per-test timeout is a guard against a
    // hang, never a speed requirement: on this 2-core machine shared with other suites a test runs
    // 5-8 times slower than idle (load 15-25 measured), so a one-minute limit failed tests that were
    // only slow (test/proxy/demo.test.ts; a test of test/library/example-suite.test.ts took 57 s of its
    // 60 at load 19). Five minutes is five times the slowest default-timeout test measured under that
    // load; tests with longer work name their own.
    testTimeout: 300_000,
    hookTimeout: 300_000,
    // expect.poll waits for a state a server or a browser reaches by itself: vitest's default of one
    // second failed whenever the machine was busy for longer. The deadline only turns a state that
    // never comes into a failure.
    expect: { poll: { timeout: 60_000 } },
    pool: 'forks',
    // Most test time is spent waiting on sockets, child processes and timers, not CPU: vitest's
    // default on this 2-core machine (cores - 1 = one worker) leaves the CPU idle. Three files at a
    // time keep both cores busy without starving the servers under test.
    maxWorkers: 3,
    // Most files share their worker process (decision 46): a fresh process per file paid Node's start,
    // vitest's runtime and the lab's module graph (msw, the SOAP codec, ajv's compiled schema) about
    // a hundred times. The few files that need a process of their own run isolated.
    projects: [
      { extends: true, test: { name: 'shared', isolate: false, include: ['test/**/*.test.ts'], exclude: ISOLATED } },
      { extends: true, test: { name: 'isolated', include: ISOLATED } },
    ],
  },
});
