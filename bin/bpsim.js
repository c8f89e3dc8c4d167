#!/usr/bin/env node
// The `bpsim` command. Installed from npm it runs the compiled JavaScript in dist/. In a checkout
// (bin/bpsim.ts beside this file) it runs the sources through tsx, so an edit is never hidden by a
// stale dist/; BPSIM_USE_DIST=1, or a checkout without tsx (npm ci --omit=dev), runs dist/.
import { existsSync } from 'node:fs';
import module from 'node:module';

// Node 22.1+ caches compiled code between runs (a no-op on Node 20): most of a warm start is parsing.
module.enableCompileCache?.();

// dist/cli/ is the CLI bundled by esbuild (a start opens a few files, not hundreds); dist/bin/ the
// same code unbundled, for a build made without esbuild.
const bundled = new URL('../dist/cli/bpsim.js', import.meta.url);
const compiled = existsSync(bundled) ? bundled : new URL('../dist/bin/bpsim.js', import.meta.url);
const checkout = existsSync(new URL('./bpsim.ts', import.meta.url)) && !process.env.BPSIM_USE_DIST;
const tsx = checkout || !existsSync(compiled) ? await import('tsx/esm/api').catch(() => undefined) : undefined;
if (tsx) {
  tsx.register();
  await import('./bpsim.ts');
} else {
  await import(compiled.href);
}
