// Bundles the compiled CLI (dist/bin/bpsim.js and what it imports) into dist/cli/ with esbuild, so a
// start opens a few files instead of a few hundred: on Node 20 (no compile cache) resolving, reading
// and linking ES modules was three quarters of `bpsim up`'s start (docs/performance.md, "CLI start").
// The options (what stays outside the bundle, and why) are in cli-bundle-options.mjs.
import { existsSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLI_BUNDLE_OPTIONS } from './cli-bundle-options.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const outdir = `${root}dist/cli`;
let esbuild;
try {
  esbuild = createRequire(import.meta.url)('esbuild');
} catch {
  process.stderr.write('bpsim build: esbuild is not installed, the CLI runs unbundled from dist/bin\n');
  process.exit(0);
}
rmSync(outdir, { recursive: true, force: true });

// A bundled module's import.meta.url would be the chunk's: point it back at the module's own file in
// dist/, beside which its data files (web assets, vim25 type table, bundled scenarios) are copied.
const ownUrl = {
  name: 'own-import-meta-url',
  setup(build) {
    build.onLoad({ filter: /[\\/]dist[\\/].*\.js$/ }, async (args) => {
      let contents = await readFile(args.path, 'utf8');
      if (contents.includes('import.meta.url')) {
        const rel = relative(outdir, args.path).split('\\').join('/');
        contents = contents.replaceAll('import.meta.url', `new URL(${JSON.stringify(rel)}, import.meta.url).href`);
      }
      return { contents, loader: 'js', resolveDir: dirname(args.path) };
    });
  },
};

await esbuild.build({
  ...CLI_BUNDLE_OPTIONS,
  entryPoints: { bpsim: `${root}dist/bin/bpsim.js` },
  outdir,
  plugins: [ownUrl],
  legalComments: 'none',
});
if (!existsSync(`${outdir}/bpsim.js`)) throw new Error('bundle-cli: dist/cli/bpsim.js was not written');
