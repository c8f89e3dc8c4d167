// How the CLI is bundled, shared by the build (bin/bundle-cli.mjs: dist/ -> dist/cli/) and the tests'
// bundle of the sources (test/helpers/bpsim-cli.ts), so the CLI the tests start is built as the
// installed one is. Lazy imports stay lazy (code splitting). Packages loaded at run time by name stay
// outside: native or file-locating ones (better-sqlite3, sql.js's wasm) and those required lazily
// (node-forge, yaml, ajv, selfsigned).
export const CLI_BUNDLE_OPTIONS = {
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: ['better-sqlite3', 'sql.js', 'node-forge', 'yaml', 'ajv', 'selfsigned', 'tsx', 'tsx/*', 'vitest', 'playwright-core'],
  // CommonJS packages inside an ES bundle still call require() for Node's built-ins.
  banner: { js: "import { createRequire as __bpsimRequire } from 'node:module'; const require = __bpsimRequire(import.meta.url);" },
  logLevel: 'warning',
};
