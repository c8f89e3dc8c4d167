import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../helpers/run.ts';

/** Where Debian's golang-github-vmware-govmomi-dev puts govmomi (GOPATH layout). */
export const GOPATH = '/usr/share/gocode';
const GOVMOMI_SRC = join(GOPATH, 'src/github.com/vmware/govmomi');
/** Build cache and binaries, kept between runs so only the first build is cold. */
export const GO_CACHE_DIR = join(tmpdir(), 'bpsim-go-clients');

export function goAvailable(): string | undefined {
  if (!existsSync(GOVMOMI_SRC)) return `govmomi sources not found at ${GOVMOMI_SRC} (apt-get install golang-github-vmware-govmomi-dev)`;
  return undefined;
}

export interface GoBinary {
  path: string;
  /** Whether this run compiled it (false: an identical build was cached). */
  built: boolean;
  buildMs: number;
}

/**
 * Builds a Go program offline against the Debian govmomi (GOPATH mode, no modules, no network).
 * The binary is keyed by a hash of its sources and the Go version, so reruns skip the build; the
 * Go build cache (GOCACHE) makes a source change a warm build.
 */
export async function buildGoProgram(srcDir: string, name: string): Promise<GoBinary> {
  const version = await run('go', ['version'], { timeoutMs: 30_000 });
  if (version.code !== 0) throw new Error(`go version failed: ${version.stderr}`);
  const hash = createHash('sha256').update(version.stdout);
  for (const f of readdirSync(srcDir).filter((f) => f.endsWith('.go')).sort()) hash.update(f).update(readFileSync(join(srcDir, f)));
  const outDir = join(GO_CACHE_DIR, 'bin', hash.digest('hex').slice(0, 16));
  const path = join(outDir, name);
  if (existsSync(path)) return { path, built: false, buildMs: 0 };
  mkdirSync(outDir, { recursive: true });
  const started = Date.now();
  const env = { ...process.env, GOPATH, GO111MODULE: 'off', GOFLAGS: '', GOCACHE: join(GO_CACHE_DIR, 'cache'), CGO_ENABLED: '0' };
  // A cold build compiles govmomi's vim25/types (large); on a loaded 2-core machine that takes minutes.
  // A private output name, renamed into place: two runs building at once never see half a binary.
  const tmp = `${path}.${process.pid}.tmp`;
  const res = await run('go', ['build', '-o', tmp, '.'], { env, cwd: srcDir, timeoutMs: 15 * 60_000 });
  if (res.code !== 0) throw new Error(`go build in ${srcDir} failed:\n${res.stderr}`);
  renameSync(tmp, path);
  return { path, built: true, buildMs: Date.now() - started };
}
