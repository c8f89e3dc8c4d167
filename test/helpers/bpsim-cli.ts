import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BuildOptions, Plugin } from 'esbuild';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
// Inside the checkout, so the bundle's imports of packages resolve to this checkout's node_modules.
const CACHE = join(ROOT, 'node_modules', '.cache', 'bpsim-test-cli');
const DAY_MS = 24 * 3600 * 1000;

let built: Promise<string> | undefined;

/**
 * What `node` runs for `bpsim` in tests: bin/bpsim.ts and the sources it loads, bundled by esbuild
 * once per test process with the options of the installed CLI's bundle (bin/cli-bundle-options.mjs).
 * A child under tsx spent about a CPU second resolving and loading the sources module by module
 * through tsx's loader thread; the bundle is the same code (esbuild is also what tsx compiles with)
 * in a few files. bin/bpsim.js (tsx in a checkout) keeps its own test in test/scenarios/cli.test.ts.
 */
export async function bpsimArgv(): Promise<string[]> {
  return [await (built ??= bundle())];
}

async function bundle(): Promise<string> {
  const esbuild = await import('esbuild');
  const options = pathToFileURL(join(ROOT, 'bin', 'cli-bundle-options.mjs')).href;
  const { CLI_BUNDLE_OPTIONS } = (await import(options)) as { CLI_BUNDLE_OPTIONS: BuildOptions };
  const result = await esbuild.build({
    ...CLI_BUNDLE_OPTIONS,
    entryPoints: { bpsim: join(ROOT, 'bin', 'bpsim.ts') },
    outdir: '/', // not written: the output is hashed first, then placed under CACHE
    write: false,
    plugins: [ownImportMetaUrl],
  });
  const hash = createHash('sha256');
  for (const f of result.outputFiles) hash.update(f.path).update(f.contents);
  const dir = join(CACHE, hash.digest('hex').slice(0, 16));
  if (!existsSync(dir)) {
    // Written beside and renamed: another test process may be placing the very same bundle.
    const tmp = `${dir}.${process.pid}-${randomBytes(4).toString('hex')}`;
    for (const f of result.outputFiles) {
      mkdirSync(dirname(join(tmp, f.path)), { recursive: true });
      writeFileSync(join(tmp, f.path), f.contents);
    }
    try {
      renameSync(tmp, dir);
    } catch {
      rmSync(tmp, { recursive: true, force: true });
    }
    pruneOld(dir);
  }
  return join(dir, 'bpsim.js');
}

/**
 * A module's import.meta.url stays its source file's: the sources find their data files (the web
 * assets, the vim25 type table, the bundled scenarios) and require packages beside themselves.
 */
const ownImportMetaUrl: Plugin = {
  name: 'own-import-meta-url',
  setup(build) {
    build.onLoad({ filter: /\.ts$/ }, async (args) => {
      if (args.path.includes('/node_modules/')) return undefined;
      const contents = await readFile(args.path, 'utf8');
      return { contents: contents.replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href)), loader: 'ts', resolveDir: dirname(args.path) };
    });
  },
};

/** Bundles of sources edited since (a day old and not this one). */
function pruneOld(keep: string): void {
  for (const name of readdirSync(CACHE)) {
    const dir = join(CACHE, name);
    if (dir !== keep && Date.now() - statSync(dir).mtimeMs > DAY_MS) rmSync(dir, { recursive: true, force: true });
  }
}
