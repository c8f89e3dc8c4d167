// The package as a user gets it: `npm pack`, installed into a fresh project from the tarball, used
// from plain Node (ESM and CommonJS), from TypeScript (tsc, NodeNext, strict) and from vitest.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { existsSync, readFileSync, readdirSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../helpers/run.ts';
import { TEST_PKI_DIR } from '../helpers/lab.ts';
import { runnableBlocks } from '../docs/blocks.ts';
import { CONSUMER_CACHE, consumerProject, packTarball, ROOT, tempDir } from './consumer-project.ts';

const SLOW = 900_000;
// Where the README example's lab caches its CA (the default under ~/.cache, moved out of the home dir).
const env = { ...process.env, XDG_CACHE_HOME: join(tmpdir(), 'bpsim-test-xdg') };
let dir = '';
const timings: Record<string, number> = {};

async function timed<T>(what: string, fn: () => Promise<T>): Promise<T> {
  const start = Date.now();
  try {
    return await fn();
  } finally {
    timings[what] = (Date.now() - start) / 1000;
  }
}

function bin(name: string): string {
  return join(dir, 'node_modules', '.bin', name);
}

// The tests after the first each run their own programs on their own files of the project, so they
// run at once (test.concurrent, each with its own `expect`): tsc's CPU overlaps the labs' waits.
describe('the packed package in a fresh project', () => {
  beforeAll(async () => {
    const pack = await timed('build + pack', () => packTarball());
    const project = await timed('npm ci (offline)', () => consumerProject(pack.tarball, pack.cacheable));
    dir = project.dir;
    console.log(`consumer test: pack ${pack.cached ? 'reused' : 'built'}, install ${project.cached ? 'copied from an identical one' : 'made'} (cache: ${CONSUMER_CACHE})`);
  }, SLOW);

  afterAll(() => {
    console.log(`consumer test timings (s): ${JSON.stringify(timings)}`);
    // Each project holds a full install (about 140 MB).
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('ships compiled JavaScript with declarations and a LICENSE, and no tests, benchmarks or CI files', () => {
    const pkg = join(dir, 'node_modules', 'bpsim');
    for (const f of ['dist/index.js', 'dist/index.d.ts', 'dist/testing/vitest.d.ts', 'dist/scenarios/bundled/vm-backup-full.yaml', 'dist/simulators/core/codecs/vim25/type-table/vim25-types.json', 'dist/simulators/admin/web/assets/app.js', 'LICENSE', 'bin/bpsim.js']) {
      expect(existsSync(join(pkg, f)), f).toBe(true);
    }
    for (const f of ['test', 'bench', '.ci', 'index.ts', 'dist/.tsbuildinfo']) expect(existsSync(join(pkg, f)), f).toBe(false);
    expect(readFileSync(join(pkg, 'LICENSE'), 'utf8')).toMatch(/^MIT License/);
    expect(existsSync(join(dir, 'node_modules', 'better-sqlite3')), 'installed without the optional native addon').toBe(false);
  });

  test.concurrent("plain node runs the README's example as an .mjs file", async ({ expect }) => {
    const [example] = runnableBlocks(readFileSync(join(ROOT, 'README.md'), 'utf8'), 'ts');
    writeFileSync(join(dir, 'readme-example.mjs'), example!.body);
    const r = await timed('node README example', () => run(process.execPath, ['readme-example.mjs'], { cwd: dir, env, timeoutMs: SLOW }));
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('cloudcache cloud\n');
  }, SLOW);

  test.concurrent("CommonJS require('bpsim') loads the library (require of ES modules)", async ({ expect }) => {
    writeFileSync(
      join(dir, 'require.cjs'),
      `const bpsim = require('bpsim');
bpsim.startLab({ without: ['cloudcache'] }).then(async (lab) => {
  console.log(typeof bpsim.proxyFor, lab.endpoints().some((e) => e.component === 'vcenter'));
  await lab.stop();
});\n`,
    );
    const r = await timed('node require', () => run(process.execPath, ['require.cjs'], { cwd: dir, env, timeoutMs: SLOW }));
    expect(r.stderr.replace(/^.*ExperimentalWarning.*\n|^\(Use `node --trace-warnings.*\n/gm, '')).toBe('');
    expect(r.stdout).toBe('function true\n');
  }, SLOW);

  // One tsc program holds both files (the libraries' declarations are checked once, not twice): the
  // wrong call is the only diagnostic, so the consumer and every declaration under node_modules pass.
  test.concurrent('tsc --noEmit (module NodeNext, strict, library declarations checked) accepts a consumer and rejects a wrong call', async ({ expect }) => {
    writeFileSync(
      join(dir, 'consumer.ts'),
      `import { startLab, proxyFor, withFault, type Lab, type LabOptions, type JobOutcome } from 'bpsim';
import { test, testWith, expect } from 'bpsim/vitest';
const options: LabOptions = { without: ['cloudcache'], vms: 10 };
export async function backup(): Promise<string> {
  const lab: Lab = await startLab(options);
  const proxy = proxyFor(lab, { timeouts: { task: 10_000, guestStart: 10_000, probe: 2_000, drBoot: 10_000 } });
  const result = await withFault(lab, { target: 'ntp', type: 'ntp-skew', params: { offsetMs: 1 } }, () => proxy.backupVm({ vm: 'web01' }));
  await lab.stop();
  return result.kind;
}
export type Outcome = JobOutcome;
export const slow = testWith({ proxyOptions: { timeouts: { task: 10_000, guestStart: 10_000, probe: 2_000, drBoot: 10_000 } } });
test('typed fixtures', async ({ lab, proxy }) => expect(lab.endpoints().length + (proxy ? 1 : 0)).toBeGreaterThan(0));
`,
    );
    writeFileSync(join(dir, 'wrong.ts'), `import { startLab } from 'bpsim';\nawait startLab({ vms: 'many' });\nexport {};\n`);
    const compilerOptions = { module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', strict: true, noEmit: true, skipLibCheck: false, types: ['node'] };
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: ['consumer.ts', 'wrong.ts'] }));
    const r = await timed('tsc consumer + wrong', () => run(process.execPath, [bin('tsc'), '-p', 'tsconfig.json'], { cwd: dir, timeoutMs: SLOW }));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^wrong\.ts\(2,\d+\): error TS2322: Type 'string' is not assignable to type 'number'/);
    // Diagnostics start at column 0, their detail lines are indented: every diagnostic is in wrong.ts.
    expect(r.stdout.split('\n').filter((l) => l && !/^\s/.test(l))).toEqual([expect.stringMatching(/^wrong\.ts\(2,\d+\): error TS2322/)]);
    expect(r.stdout).not.toMatch(/node_modules|consumer\.ts/);
  }, SLOW);

  test.concurrent('a vitest suite with bpsim/vitest (test, testWith) passes', async ({ expect }) => {
    mkdirSync(join(dir, 'suite'), { recursive: true });
    writeFileSync(join(dir, 'vitest.config.mjs'), `export default { test: { include: ['suite/**/*.test.ts'], testTimeout: 120_000, hookTimeout: 120_000 } };\n`);
    writeFileSync(
      join(dir, 'suite', 'lab.test.ts'),
      `import { test, testWith, expect } from 'bpsim/vitest';
test('a full backup in the fixture lab', async ({ proxy }) => {
  expect((await proxy.backupVm({ vm: 'web01' })).kind).toBe('full');
});
const noCache = testWith({ labOptions: { without: ['cloudcache'] } });
noCache('testWith options reach the lab', async ({ lab }) => {
  expect(lab.endpoints().some((e) => e.component === 'cloudcache')).toBe(false);
  expect(lab.endpoints().some((e) => e.component === 'cloud')).toBe(true);
});
`,
    );
    const r = await timed('vitest suite', () => run(process.execPath, [bin('vitest'), 'run'], { cwd: dir, env, timeoutMs: SLOW }));
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Tests\s+.*2 passed/);
  }, SLOW);

  test.concurrent('the bpsim command runs from the package; --state-dir without better-sqlite3 says which package to install', async ({ expect }) => {
    const version = await run(bin('bpsim'), ['--version'], { cwd: dir, env });
    expect(version.stdout.trim()).toBe(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version);
    const up = await run(bin('bpsim'), ['up', '--json', '--state-dir', join(tempDir('bpsim-state-'), 'state')], { cwd: dir, env, timeoutMs: SLOW });
    expect(up.code).toBe(1);
    expect(up.stderr).toMatch(/--state-dir needs the optional package better-sqlite3.*npm install better-sqlite3/);
    // The installed bin runs the esbuild bundle (dist/cli/): a bundled scenario loads its lazy chunks
    // (scenario engine, yaml, the simulated proxy) and the data files found through import.meta.url
    // (bundled scenarios, the vim25 type table).
    expect(readdirSync(join(dir, 'node_modules', 'bpsim', 'dist', 'cli'))).toContain('bpsim.js');
    const scenario = await run(bin('bpsim'), ['run', 'vm-backup-full', '--timing', 'fast', '--pki-dir', TEST_PKI_DIR], { cwd: dir, env, timeoutMs: SLOW });
    expect(scenario.code, scenario.stdout + scenario.stderr).toBe(0);
    expect(scenario.stdout).toMatch(/PASS vm-backup-full: \d+ expectations held/);
  }, SLOW);
});
