import { describe, test, expect } from 'vitest';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { randomInt } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { X509Certificate } from 'node:crypto';
import { TEST_PKI_DIR } from '../helpers/lab.ts';
import { run } from '../helpers/run.ts';
import { tryConnect } from '../helpers/sockets.ts';
import { bpsimArgv } from '../helpers/bpsim-cli.ts';

const BPSIM = await bpsimArgv();

// Separate bpsim processes, each on its own address block or none: they run at once.
describe.concurrent('bpsim CLI', () => {
  test('up --json prints one JSON line when ready, serves, and stops cleanly on SIGTERM', async () => {
    const block = `127.${randomInt(16, 250)}.${randomInt(0, 250)}`;
    const child = spawn(process.execPath, [...BPSIM, 'up', '--json', '--address-block', block, '--pki-dir', TEST_PKI_DIR], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const line = await new Promise<string>((resolve, reject) => {
        const rl = createInterface({ input: child.stdout });
        rl.once('line', resolve);
        child.once('exit', (code) => reject(new Error(`bpsim up exited (${code}) before printing: ${stderr}`)));
      });
      const summary = JSON.parse(line);
      expect(Object.keys(summary)).toEqual(expect.arrayContaining(['caFile', 'credentials', 'endpoints']));
      expect(summary.credentials.vcenter).toMatchObject({ user: expect.any(String), password: expect.any(String) });
      const ca = new X509Certificate(await readFile(summary.caFile));
      expect(ca.ca).toBe(true);
      expect(summary.endpoints.length).toBeGreaterThan(0);
      for (const e of summary.endpoints) {
        expect(e).toMatchObject({ component: expect.any(String), hostname: expect.any(String), address: expect.any(String), port: expect.any(Number), protocol: expect.any(String) });
        expect(e.address.startsWith(`${block}.`)).toBe(true);
      }
      const tcp = summary.endpoints.filter((e: { transport: string }) => e.transport === 'tcp');
      for (const e of tcp) expect(await tryConnect(e.bindAddress, e.port)).toBe('connected');
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      for (const e of tcp) expect(await tryConnect(e.bindAddress, e.port)).toBe('ECONNREFUSED');
    } finally {
      child.kill('SIGKILL');
    }
  });

  test('a SIGTERM sent the moment the ready line arrives still stops the lab cleanly', async () => {
    // No await between the line and the signal: the handler must be in place before the line is
    // written. It was installed after it, and about one such stop in four killed the process outright.
    const block = `127.${randomInt(16, 250)}.${randomInt(0, 250)}`;
    const child = spawn(process.execPath, [...BPSIM, 'up', '--json', '--address-block', block, '--pki-dir', TEST_PKI_DIR], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.once('exit', (code, signal) => resolve([code, signal])));
    try {
      createInterface({ input: child.stdout }).once('line', () => child.kill('SIGTERM'));
      expect(await exited, stderr).toEqual([0, null]);
      expect(stderr).toContain('SIGTERM: stopping the lab');
    } finally {
      child.kill('SIGKILL');
    }
  });

  test('--help lists the commands; a bad option is a clear error with exit code 1', async () => {
    const help = await run(process.execPath, [...BPSIM, '--help']);
    expect(help.code).toBe(0);
    for (const cmd of ['up', 'demo', 'ca']) expect(help.stdout).toMatch(new RegExp(`^\\s+${cmd}\\b`, 'm'));
    const bad = await run(process.execPath, [...BPSIM, 'up', '--vms', 'lots']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('expected a whole number from 1 to 100000, got "lots"');
  });

  test('ca prints the cached CA certificate', async () => {
    const r = await run(process.execPath, [...BPSIM, 'ca', '--pki-dir', TEST_PKI_DIR]);
    expect(r.code).toBe(0);
    expect(new X509Certificate(r.stdout).subject).toContain('bpsim lab CA');
  });
});
