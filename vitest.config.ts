import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Tests open real sockets and start real TLS servers: generous per-test time, no timing assertions.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
