import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run, type RunResult } from '../helpers/run.ts';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const NPM_TIMEOUT = 900_000;

interface LockEntry {
  version?: string;
  resolved?: string;
  integrity?: string;
  link?: boolean;
  [field: string]: unknown;
}

function ok(what: string, r: RunResult): RunResult {
  if (r.code !== 0) throw new Error(`${what} failed (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  return r;
}

/**
 * Build, pack and install results kept between runs, each under a hash of everything it is made
 * from: a rerun with the same sources gets the very tarball and install a fresh run would make
 * (npm pack is reproducible), a changed byte anywhere makes a new entry.
 */
export const CONSUMER_CACHE = join(tmpdir(), 'bpsim-consumer-cache');

const sha256 = (...parts: (string | Buffer)[]) => parts.reduce((h, p) => h.update(p).update('\0'), createHash('sha256')).digest('hex').slice(0, 24);

/**
 * A hash of what the tarball is made from: every file git tracks or would track outside test/
 * (sources, docs, package.json and its lock, tsconfigs, the build script), plus the Node and npm
 * versions. Undefined outside a git checkout: then nothing is cached.
 */
async function packInputs(): Promise<string | undefined> {
  const listed = await run('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: ROOT }).catch(() => undefined);
  if (!listed || listed.code !== 0) return undefined;
  const npm = ok('npm --version', await run('npm', ['--version'], { cwd: ROOT })).stdout.trim();
  const files = [...new Set(listed.stdout.split('\0'))].filter((f) => f && !f.startsWith('test/')).sort();
  // A tracked file deleted in the worktree hashes as absent.
  return sha256(process.version, npm, ...files.flatMap((f) => [f, existsSync(join(ROOT, f)) ? readFileSync(join(ROOT, f)) : '\0absent']));
}

const KEEP = 2;
const IDLE_MS = 15 * 60_000;

/**
 * An install weighs about 140 MB and every source change makes a new one: entries of the same
 * kind beyond the KEEP most recently used go once idle for a quarter of an hour (long after any
 * run still copying from them has finished).
 */
function prune(kind: string): void {
  const entries = readdirSync(CONSUMER_CACHE)
    .filter((f) => f.startsWith(`${kind}-`))
    .map((f) => ({ path: join(CONSUMER_CACHE, f), used: statSync(join(CONSUMER_CACHE, f)).mtimeMs }))
    .sort((a, b) => b.used - a.used);
  // Half-made entries of runs that died count as beyond KEEP.
  const [partial, whole] = [entries.filter((e) => e.path.includes('.tmp-')), entries.filter((e) => !e.path.includes('.tmp-'))];
  for (const e of [...partial, ...whole.slice(KEEP)]) if (Date.now() - e.used > IDLE_MS) rmSync(e.path, { recursive: true, force: true });
}

/** Makes `dir` by filling a private temp dir and renaming it into place: concurrent runs never see half an entry. */
async function cacheEntry(dir: string, fill: (tmp: string) => Promise<void>): Promise<void> {
  const kind = dir.slice(CONSUMER_CACHE.length + 1).split('-')[0]!;
  if (existsSync(dir)) {
    // Marks it used, for prune().
    utimesSync(dir, new Date(), new Date());
    return;
  }
  mkdirSync(CONSUMER_CACHE, { recursive: true });
  prune(kind);
  const tmp = mkdtempSync(`${dir}.tmp-`);
  try {
    await fill(tmp);
    renameSync(tmp, dir);
  } catch (err) {
    // Another run won the rename: its entry is the same.
    if (!existsSync(dir)) throw err;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * Builds dist/ (incremental) and packs it as npm publishes it; a pack of the same sources made by an
 * earlier run is reused instead (building and packing cost 10-20 s on this machine).
 */
export async function packTarball(): Promise<{ tarball: string; cached: boolean; cacheable: boolean }> {
  const build = async (into: string) => {
    ok('build', await run(process.execPath, ['bin/build.mjs'], { cwd: ROOT, timeoutMs: NPM_TIMEOUT }));
    ok('npm pack', await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', into], { cwd: ROOT, timeoutMs: NPM_TIMEOUT }));
  };
  const key = await packInputs();
  const dir = key ? join(CONSUMER_CACHE, `pack-${key}`) : tempDir('bpsim-pack-');
  const cached = !!key && existsSync(dir);
  if (key) await cacheEntry(dir, build);
  else await build(dir);
  const [filename] = readdirSync(dir).filter((f) => f.endsWith('.tgz'));
  if (!filename) throw new Error(`no tarball in ${dir}`);
  return { tarball: join(dir, filename), cached, cacheable: !!key };
}

/**
 * A fresh project that depends on the tarball (plus typescript, @types/node and vitest), with a lock
 * file made from the repo's: every package at the version the repo installed, so `npm ci --offline`
 * takes them all from the npm cache `npm ci` filled. better-sqlite3 is left out, as an install
 * where its native addon cannot be built would: only --state-dir needs it.
 */
export async function consumerProject(tarball: string, cacheable: boolean): Promise<{ dir: string; cached: boolean }> {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };
  const registry = ok('npm config', await run('npm', ['config', 'get', 'registry'], { cwd: ROOT })).stdout.trim().replace(/\/?$/, '/');
  const dependencies = {
    bpsim: `file:${tarball}`,
    typescript: pkg.devDependencies.typescript,
    '@types/node': pkg.devDependencies['@types/node'],
    vitest: pkg.devDependencies.vitest,
  };
  const packages: Record<string, LockEntry> = { '': { name: 'consumer', dependencies } };
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (!path || path === 'node_modules/better-sqlite3') continue;
    const { dev: _d, devOptional: _o, peer: _p, ...rest } = entry;
    const name = path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
    // The repo's lock omits `resolved`; without it npm would ask the registry for metadata.
    if (!rest.resolved && !rest.link) rest.resolved = `${registry}${name}/-/${name.split('/').pop()}-${rest.version}.tgz`;
    packages[path] = rest;
  }
  const { dependencies: deps, peerDependencies, peerDependenciesMeta, bin, engines, license, version } = pkg;
  packages['node_modules/bpsim'] = {
    version,
    resolved: `file:${tarball}`,
    integrity: `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`,
    license,
    dependencies: deps,
    peerDependencies,
    peerDependenciesMeta,
    bin,
    engines,
  };
  const manifest = JSON.stringify({ name: 'consumer', private: true, type: 'module', dependencies }, null, 2);
  const lockfile = JSON.stringify({ name: 'consumer', lockfileVersion: 3, requires: true, packages }, null, 2);
  const install = async (into: string) => {
    writeFileSync(join(into, 'package.json'), manifest);
    writeFileSync(join(into, 'package-lock.json'), lockfile);
    const args = ['ci', '--ignore-scripts', '--no-audit', '--no-fund'];
    let r = await run('npm', [...args, '--offline'], { cwd: into, timeoutMs: NPM_TIMEOUT });
    // A cache that lacks a package (a machine that never ran `npm ci` here): fetch what is missing.
    if (r.code !== 0 && /ENOTCACHED/.test(r.stderr)) r = await run('npm', [...args, '--prefer-offline'], { cwd: into, timeoutMs: NPM_TIMEOUT });
    ok('npm ci in the consumer project', r);
  };
  const dir = tempDir('bpsim-consumer-');
  if (!cacheable) {
    await install(dir);
    return { dir, cached: false };
  }
  // The lock names the tarball by path and sha512, so the key covers the package's every byte.
  const installed = join(CONSUMER_CACHE, `project-${sha256(process.version, manifest, lockfile)}`);
  const cached = existsSync(installed);
  await cacheEntry(installed, install);
  // A plain copy, not hard links: nothing the tests run can write into the cached install.
  ok('copy the installed project', await run('cp', ['-a', `${installed}/.`, dir], { timeoutMs: NPM_TIMEOUT }));
  return { dir, cached };
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}
