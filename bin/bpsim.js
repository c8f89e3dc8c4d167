#!/usr/bin/env node
// The `bpsim` command. Installed from npm (or built with `npm run build`) it runs the compiled
// JavaScript in dist/; in a checkout without dist/ it runs the TypeScript sources through tsx.
import { existsSync } from 'node:fs';
import module from 'node:module';

// Node 22.1+ caches compiled code between runs (a no-op on Node 20): most of a warm start is parsing.
module.enableCompileCache?.();

const compiled = new URL('../dist/bin/bpsim.js', import.meta.url);
if (existsSync(compiled)) {
  await import(compiled.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('./bpsim.ts');
}
