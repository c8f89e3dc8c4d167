import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
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

/** Builds dist/ (incremental: fast when `npm ci`'s prepare already built it) and packs it as npm publishes it. */
export async function packTarball(into: string): Promise<string> {
  ok('build', await run(process.execPath, ['bin/build.mjs'], { cwd: ROOT, timeoutMs: NPM_TIMEOUT }));
  const packed = ok('npm pack', await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', into], { cwd: ROOT, timeoutMs: NPM_TIMEOUT }));
  const [{ filename }] = JSON.parse(packed.stdout) as { filename: string }[];
  return join(into, filename);
}

/**
 * A fresh project that depends on the tarball (plus typescript, @types/node and vitest), with a lock
 * file made from the repo's: every package at the version the repo installed, so `npm ci --offline`
 * takes them all from the npm cache `npm ci` filled. better-sqlite3 is left out, as an install
 * where its native addon cannot be built would: only --state-dir needs it.
 */
export async function consumerProject(tarball: string): Promise<{ dir: string; install: RunResult }> {
  const dir = mkdtempSync(join(tmpdir(), 'bpsim-consumer-'));
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
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module', dependencies }, null, 2));
  writeFileSync(join(dir, 'package-lock.json'), JSON.stringify({ name: 'consumer', lockfileVersion: 3, requires: true, packages }, null, 2));
  const args = ['ci', '--ignore-scripts', '--no-audit', '--no-fund'];
  let install = await run('npm', [...args, '--offline'], { cwd: dir, timeoutMs: NPM_TIMEOUT });
  // A cache that lacks a package (a machine that never ran `npm ci` here): fetch what is missing.
  if (install.code !== 0 && /ENOTCACHED/.test(install.stderr)) install = await run('npm', [...args, '--prefer-offline'], { cwd: dir, timeoutMs: NPM_TIMEOUT });
  ok('npm ci in the consumer project', install);
  return { dir, install };
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}
