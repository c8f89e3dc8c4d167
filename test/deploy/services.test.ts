import { execFile } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { randomInt } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { canBindPrivileged } from '../../simulators/core/net/ports.ts';
import { readPlan } from '../../simulators/deploy/certs.ts';
import { CERTS_MOUNT, ENTRYPOINT } from '../../simulators/deploy/compose.ts';
import { addressOf, type DeployPlan } from '../../simulators/deploy/plan.ts';
import { REPO, startCommand, type Started } from './processes.ts';
import { bpsimArgv } from '../helpers/bpsim-cli.ts';

const exec = promisify(execFile);

interface Service {
  entrypoint: string[];
  command: string[];
}

/**
 * A compose command line as it would run here: the volume is a temp dir, the network a loopback
 * block, and the image's `node bin/bpsim.js` this checkout's CLI, bundled once (test/helpers/bpsim-cli.ts)
 * rather than a dozen services each loading the sources through tsx.
 */
const BPSIM = await bpsimArgv();
function localArgv(s: Service, certsDir: string, network?: string): string[] {
  const entry = s.entrypoint.join(' ') === ENTRYPOINT.join(' ') ? [process.execPath, ...BPSIM] : s.entrypoint;
  const argv = [...entry, ...s.command].map((a) => (a === CERTS_MOUNT ? certsDir : a.startsWith(`${CERTS_MOUNT}/`) ? certsDir + a.slice(CERTS_MOUNT.length) : a));
  const i = argv.indexOf('--network');
  if (network && i >= 0) argv[i + 1] = network;
  return argv;
}

// A reply that never comes fails the check after this; on a loaded machine a process may wait seconds for the CPU.
const NO_REPLY_MS = 60_000;

function tcpOpen(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host, port });
    const timer = setTimeout(() => (s.destroy(), resolve(false)), NO_REPLY_MS);
    s.once('connect', () => (clearTimeout(timer), s.destroy(), resolve(true)));
    s.once('error', () => (clearTimeout(timer), resolve(false)));
  });
}

function sntpAnswers(host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const sock = createSocket('udp4');
    const timer = setTimeout(() => (sock.close(), reject(new Error('no SNTP reply'))), NO_REPLY_MS);
    const req = Buffer.alloc(48);
    req[0] = (4 << 3) | 3; // version 4, mode 3 (client)
    req.writeUInt32BE(0x12345678, 40); // transmit timestamp, echoed as origin
    sock.once('message', (msg) => {
      clearTimeout(timer);
      sock.close();
      resolve(msg[0]! & 7);
    });
    sock.send(req, port, host);
  });
}

// Real ports (443, 902, 123...) on loopback addresses need root here, as in the containers.
describe.skipIf(!canBindPrivileged())('every docker-compose service command line, run locally', () => {
  const network = `127.${randomInt(16, 250)}.${randomInt(0, 250)}`;
  let certsDir: string;
  let services: Record<string, Service>;
  let plan: DeployPlan;
  const running: Started[] = [];

  beforeAll(async () => {
    services = parse(await readFile(join(REPO, 'docker-compose.yml'), 'utf8')).services;
    certsDir = await mkdtemp(join(tmpdir(), 'bpsim-deploy-'));
    const oneShot = await startCommand('certs', localArgv(services.certs!, certsDir, network));
    expect(oneShot.ready.ready).toBe(true);
    expect(await oneShot.exited).toBe(0);
    plan = await readPlan(certsDir);
  }, 300_000);

  afterAll(async () => {
    await Promise.all(running.map((r) => r.stop()));
    if (certsDir) await rm(certsDir, { recursive: true, force: true });
  });

  it('the one-shot writes a CA and a certificate per component that openssl verifies, for its hostname and address', async () => {
    expect(plan.network).toBe(network);
    // Two openssl runs per unit, every unit at once: each is mostly process start.
    await Promise.all(
      plan.units.map(async (u) => {
        const crt = join(certsDir, `${u.component}.crt`);
        const [verified, x509] = await Promise.all([
          exec('openssl', ['verify', '-CAfile', join(certsDir, 'ca.crt'), crt]),
          exec('openssl', ['x509', '-in', crt, '-noout', '-ext', 'subjectAltName']),
        ]);
        expect(verified.stdout.trim()).toBe(`${crt}: OK`);
        expect(x509.stdout).toContain(`DNS:${u.hostname}`);
        expect(x509.stdout).toContain(`IP Address:${addressOf(plan, u.component)}`);
      }),
    );
  });

  it('every service starts and listens on its own address and real ports', async () => {
    const names = plan.units.map((u) => u.component);
    running.push(...(await Promise.all(names.map((n) => startCommand(n, localArgv(services[n]!, certsDir))))));
    for (const r of running) expect(r.ready, r.name).toMatchObject({ ready: true, component: r.name, mode: plan.units.find((u) => u.component === r.name)!.home === r.name ? 'home' : 'relay' });
    for (const u of plan.units) {
      for (const l of u.listeners.filter((x) => !x.dynamic)) {
        const where = `${u.component}:${l.listener} ${addressOf(plan, u.component)}:${l.realPort}`;
        if (l.transport === 'udp') expect(await sntpAnswers(addressOf(plan, u.component), l.realPort), where).toBe(4);
        else expect(await tcpOpen(addressOf(plan, u.component), l.realPort), where).toBe(true);
      }
    }
  }, 300_000);

  it('the proxy service command line backs up a VM and a SQL Server, restores a database and a VM (DR) across the processes, by hostname', async () => {
    expect(running.length).toBe(plan.units.length);
    const [exe, ...args] = localArgv(services.proxy!, certsDir);
    const { stdout } = await exec(exe!, args, { cwd: REPO, timeout: 280_000 });
    const rows = stdout.split('\n').filter((l) => /^\d+\s+(vm-backup|sql-backup|sql-restore|dr-restore)\b/.test(l));
    expect(rows).toHaveLength(services.proxy!.command.filter((a) => /^(vm|sql|dr)-/.test(a)).length);
    for (const row of rows) expect(row).toMatch(/\bsucceeded\b/);
    expect(stdout).toMatch(/web01: SSH probe \S+:22 open/);
    expect(stdout).toMatch(/SalesDB_copy restored to LSN \d+, checksum verified/);
    // A VM created at run time takes the first spare guest host: the proxy probes it through that relay.
    expect(stdout).toContain(`web01-dr: SSH ${addressOf(plan, 'guest-spare-1')}:22 open`);
  }, 300_000);

  it('every service stops cleanly on SIGTERM', async () => {
    const codes = await Promise.all(running.splice(0).map(async (r) => [r.name, await r.stop()] as const));
    for (const [name, code] of codes) expect(code, name).toBe(0);
  });
});
