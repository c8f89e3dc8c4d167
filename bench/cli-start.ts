import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { randomInt } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { figure, type BenchOptions, type Figure } from './figure.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BPSIM = join(ROOT, 'bin', 'bpsim.js');

/** Wall time from spawn to exit (or to the first stdout line, when `untilLine`), in ms; the child is then stopped. */
function timeSpawn(args: string[], untilLine = false): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    // BPSIM_USE_DIST: in a checkout bin/bpsim.js runs the sources; the figure is the installed package's path.
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, BPSIM_USE_DIST: '1' } });
    let stderr = '';
    let out = '';
    let done = false;
    child.stderr.on('data', (d) => (stderr += d));
    child.stdout.on('data', (d) => {
      out += d;
      if (untilLine && !done && out.includes('\n')) {
        done = true;
        const ms = performance.now() - t0;
        child.once('exit', () => resolve(ms));
        child.kill('SIGTERM');
      }
    });
    child.once('exit', (code) => {
      if (done) return;
      if (code !== 0 || untilLine) reject(new Error(`node ${args.join(' ')} exited ${code}: ${stderr}`));
      else resolve(performance.now() - t0);
    });
  });
}

async function median(runs: number, fn: () => Promise<number>): Promise<number> {
  const all: number[] = [];
  for (let i = 0; i < runs; i++) all.push(await fn());
  all.sort((a, b) => a - b);
  return all[Math.floor(all.length / 2)]!;
}

const block = () => `127.${randomInt(16, 250)}.${randomInt(0, 250)}`;

/**
 * The installed command as a user runs it: `bpsim --version` next to `node -e 0`, and `bpsim up
 * --json` until its ready line, for the default lab and for 1,000 VMs. Runs the
 * compiled dist/ (built here first), as an installed package does. Warm: the CA, keys and leaves are
 * cached (the first start made them).
 */
export async function benchCliStart(opts: BenchOptions): Promise<Figure[]> {
  // Always build (incremental): figures of a stale dist/ would not be this code's.
  await timeSpawn([join(ROOT, 'bin', 'build.mjs')]);
  const runs = opts.quick ? 3 : 7;
  const pki = await mkdtemp(join(tmpdir(), 'bpsim-bench-cli-'));
  try {
    const node = await median(runs, () => timeSpawn(['-e', '0']));
    const version = await median(runs, () => timeSpawn([BPSIM, '--version']));
    // One address block for every run (each lab is stopped before the next starts): warm means the
    // same lab again, so its leaves are in the PKI cache, as for a user's `bpsim up` on 127.77.0.
    const labBlock = block();
    const up = (vms?: string[]) => timeSpawn([BPSIM, 'up', '--json', '--address-block', labBlock, '--pki-dir', pki, ...(vms ?? [])], true);
    await up(); // cold: creates the CA, the keys and the leaves; and fills the compile cache where Node has one
    const ready = await median(runs, () => up());
    const ready1000 = await median(opts.quick ? 1 : 3, () => up(['--vms', '1000']));
    return [
      figure({ name: 'cli-version', value: version, unit: 'ms', baseline: node, baselineName: 'node -e 0', aim: '<= 2', note: `median of ${runs}, compiled dist/` }),
      figure({ name: 'cli-up-ready', value: ready, unit: 'ms', baseline: node, baselineName: 'node -e 0', aim: '<= 500 ms', note: 'bpsim up --json until its ready line, default lab, warm' }),
      figure({ name: 'cli-up-ready-1000-vms', value: ready1000, unit: 'ms', baseline: ready, baselineName: 'default lab', aim: '<= 2000 ms', note: 'bpsim up --json --vms 1000, warm' }),
    ];
  } finally {
    await rm(pki, { recursive: true, force: true });
  }
}
