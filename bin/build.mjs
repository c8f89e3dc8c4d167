// `npm run build` (and prepare/prepack): TypeScript -> dist/ (JavaScript + .d.ts), plus the data files the
// compiled modules read beside themselves. In the repo nothing needs it: tsx runs the sources.
import { execFileSync } from 'node:child_process';
import { cpSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);
let tsc;
try {
  tsc = require.resolve('typescript/bin/tsc');
} catch {
  // An install without devDependencies (npm ci --omit=dev in a checkout) cannot build; say so, do not fail the install.
  process.stderr.write('bpsim build: typescript is not installed, dist/ not built (bin/bpsim.js then needs tsx)\n');
  process.exit(0);
}
if (process.argv.includes('--clean')) rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });
execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
// Files the compiled modules read beside themselves (import.meta.url): scenarios, the vim25 type table, the web view.
for (const dir of ['scenarios/bundled', 'simulators/core/codecs/vim25/type-table', 'simulators/admin/web/assets']) {
  cpSync(new URL(`../${dir}`, import.meta.url), new URL(`../dist/${dir}`, import.meta.url), { recursive: true, filter: (src) => !src.endsWith('.py') });
}
// The CLI as one bundle with lazy chunks (dist/cli/): what bin/bpsim.js runs when installed.
await import('./bundle-cli.mjs');
