// Names that resolve: `bpsim hosts` and `bpsim up --etc-hosts`, judged by outside clients (curl,
// pyVmomi) that resolve the lab's names through the system resolver like any user's software.
import { describe, expect, test } from 'vitest';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { randomInt } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TEST_PKI_DIR } from '../helpers/lab.ts';
import { hasCommand, run } from '../helpers/run.ts';
import { followGuestUrl } from './guest-url.ts';
import { bpsimArgv } from '../helpers/bpsim-cli.ts';

const BPSIM = await bpsimArgv();
type Summary = { caFile: string; credentials: Record<string, { user: string; password: string }>; endpoints: { component: string; hostname: string; bindAddress: string; listener: string; url?: string; urlByAddress?: string }[] };

async function up(args: string[], env: NodeJS.ProcessEnv = process.env) {
  const block = `127.${randomInt(16, 250)}.${randomInt(0, 250)}`;
  const child = spawn(process.execPath, [...BPSIM, 'up', '--json', '--address-block', block, '--pki-dir', TEST_PKI_DIR, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`bpsim up exited (${code}) before it was ready: ${stderr}`)));
  });
  const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    return exited;
  };
  return { summary: JSON.parse(line) as Summary, line, block, stop, child };
}

const asRoot = process.getuid?.() === 0 && hasCommand('curl');

/** curl to vCenter's endpoint `url`, and pyVmomi following a guest-file transfer URL, both as handed out. */
async function outsideClients(summary: Summary): Promise<{ vcenterUrl: string; guestUrl: string }> {
  const vcenter = summary.endpoints.find((e) => e.component === 'vcenter' && e.url)!;
  const curl = await run('curl', ['-sS', '-o', '/dev/null', '-w', '%{http_code}', '--cacert', summary.caFile, vcenter.url!]);
  expect(curl.stderr).toBe('');
  expect(curl.stdout).toMatch(/^[1-5]\d\d$/);
  const out = await followGuestUrl(summary);
  expect(out.status).toBe(200);
  return { vcenterUrl: vcenter.url!, guestUrl: out.url };
}

const marker = (block: string) => new RegExp(`^# bpsim ${block.replace(/\./g, '\\.')} pid \\d+ (begin|end)$`, 'gm');

// Each test starts its own lab on its own address block (test 1 edits a private copy of the hosts
// file, test 3 the real one under its own marked block): they run at once.
describe.concurrent('names that resolve', () => {
  test('up --etc-hosts adds a marked block while the lab runs and removes it on SIGINT; bpsim hosts prints the same lines', async () => {
    const file = join(tmpdir(), `bpsim-hosts-${process.pid}-${randomInt(1e9)}`);
    writeFileSync(file, '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost\n');
    const original = readFileSync(file, 'utf8');
    const lab = await up(['--etc-hosts'], { ...process.env, BPSIM_HOSTS_FILE: file });
    try {
      const during = readFileSync(file, 'utf8');
      expect(during.startsWith(original)).toBe(true);
      expect(during.match(marker(lab.block))).toHaveLength(2);
      const vcenter = lab.summary.endpoints.find((e) => e.component === 'vcenter')!;
      expect(during).toContain(`${vcenter.bindAddress}\tvcenter.lab.test\n`);
      expect(during).toMatch(new RegExp(`^${lab.block.replace(/\./g, '\\.')}\\.\\d+\\tesxi-01\\.lab\\.test$`, 'm'));
      expect(vcenter.urlByAddress).toBe(`https://${vcenter.bindAddress}${new URL(vcenter.url!).port ? ':' + new URL(vcenter.url!).port : ''}/sdk`);

      const labFile = join(tmpdir(), `bpsim-lab-${process.pid}-${randomInt(1e9)}.json`);
      writeFileSync(labFile, lab.line);
      const hosts = await run(process.execPath, [...BPSIM, 'hosts', '--lab', labFile]);
      expect(hosts.code, hosts.stderr).toBe(0);
      const block = during.slice(during.indexOf('begin\n') + 6, during.lastIndexOf('# bpsim'));
      expect(hosts.stdout).toBe(block);
    } finally {
      expect(await lab.stop('SIGINT')).toBe(130);
    }
    expect(readFileSync(file, 'utf8')).toBe(original);
  });

  test('up --etc-hosts on a file it cannot write is a clear error naming the file and the way out', async () => {
    const dir = join(tmpdir(), `bpsim-notdir-${process.pid}`);
    writeFileSync(dir, 'a file, not a directory');
    const r = await run(process.execPath, [...BPSIM, 'up', '--json', '--etc-hosts', '--address-block', `127.${randomInt(16, 250)}.${randomInt(0, 250)}`, '--pki-dir', TEST_PKI_DIR], {
      env: { ...process.env, BPSIM_HOSTS_FILE: join(dir, 'hosts') },
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(join(dir, 'hosts'));
  });

  // The real system resolver: only root may edit /etc/hosts. The block is unique to this lab and removed in finally.
  test.skipIf(!asRoot)('with --etc-hosts, curl to the endpoint url and pyVmomi following a guest-file transfer URL work as handed out', async () => {
    const lab = await up(['--etc-hosts']);
    try {
      const { vcenterUrl, guestUrl } = await outsideClients(lab.summary);
      expect(new URL(vcenterUrl).hostname).toBe('vcenter.lab.test');
      expect(new URL(guestUrl).hostname).toMatch(/^esxi-\d+\.lab\.test$/);
    } finally {
      await lab.stop();
    }
    expect(readFileSync('/etc/hosts', 'utf8')).not.toMatch(marker(lab.block));
  });

  // Real ports (root): the guest-file URL names port 443, as vCenter's does.
  test.skipIf(!asRoot)('with --host-names ip, the same clients work with no name resolution at all', async () => {
    const lab = await up(['--host-names', 'ip']);
    try {
      const { vcenterUrl, guestUrl } = await outsideClients(lab.summary);
      expect(new URL(vcenterUrl).hostname).toMatch(/^127\./);
      expect(new URL(guestUrl).hostname).toMatch(/^127\./);
      const esxi = lab.summary.endpoints.find((e) => e.component === 'esxi-01')!;
      expect(esxi.hostname).toBe(esxi.bindAddress);
    } finally {
      await lab.stop();
    }
  });
});
