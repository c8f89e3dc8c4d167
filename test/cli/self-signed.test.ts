import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../helpers/run.ts';
import { TEST_PKI_DIR } from '../helpers/lab.ts';
import { CertificateAuthority } from '../../simulators/core/pki/ca.ts';
import { bpsimArgv } from '../helpers/bpsim-cli.ts';

// openssl is the judge: the certificate is read, verified and used by it, never by bpsim's own PKI code.
const BPSIM = await bpsimArgv();
let dir: string;
let printed: { cert: string; key: string; names: string[]; sha1: string; sha256: string };
let server: Server;
let port: number;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bpsim-self-signed-'));
  const r = await run(process.execPath, [...BPSIM, 'certs', '--self-signed', '--out', dir, '--name', 'proxy.example.test', '--name', '127.0.0.1', '--days', '30']);
  expect(r.code, r.stderr).toBe(0);
  printed = JSON.parse(r.stdout);
  server = createServer({ cert: await readFile(printed.cert), key: await readFile(printed.key) }, (_req, res) => res.end('ok'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
});
afterAll(async () => {
  await new Promise((r) => server?.close(r));
  await rm(dir, { recursive: true, force: true });
});

const x509 = (...args: string[]) => run('openssl', ['x509', '-in', printed.cert, '-noout', ...args]);

describe('bpsim certs --self-signed', () => {
  test('a SHA-256 signed serverAuth leaf that is its own issuer, with the names in its SAN and the days asked', async () => {
    const subject = (await x509('-subject')).stdout.replace(/^subject=/, '').trim();
    expect((await x509('-issuer')).stdout.replace(/^issuer=/, '').trim()).toBe(subject);
    expect(subject).toMatch(/CN ?= ?proxy\.example\.test/);
    const text = (await x509('-text')).stdout;
    expect(text).toMatch(/Signature Algorithm: sha256WithRSAEncryption/);
    expect(text).toMatch(/DNS:proxy\.example\.test, IP Address:127\.0\.0\.1/);
    expect(text).toMatch(/TLS Web Server Authentication/);
    expect(text).toMatch(/CA:FALSE/);
    const dates = (await x509('-startdate', '-enddate')).stdout;
    const [start, end] = [/notBefore=(.*)/, /notAfter=(.*)/].map((re) => Date.parse(re.exec(dates)![1]!));
    expect(Math.round((end! - start!) / 86_400_000)).toBe(30);
    expect((await run('openssl', ['verify', '-CAfile', printed.cert, printed.cert])).stdout.trim()).toBe(`${printed.cert}: OK`);
    expect((await stat(printed.key)).mode & 0o777).toBe(0o600);
  });

  test('the thumbprints it prints are the ones openssl computes', async () => {
    const fp = (alg: string) => x509(`-${alg}`, '-fingerprint').then((r) => r.stdout.trim().split('=')[1]);
    expect(printed.sha1).toBe(await fp('sha1'));
    expect(printed.sha256).toBe(await fp('sha256'));
  });

  test('a TLS server with the pair verifies against the certificate itself, not against the lab CA', async () => {
    const client = (caFile: string) =>
      run('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-CAfile', caFile, '-verify_return_error', '-verify_hostname', 'proxy.example.test'], { input: '', timeoutMs: 30_000 });
    const own = await client(printed.cert);
    expect(own.stdout).toMatch(/Verify return code: 0 \(ok\)/);
    const lab = await CertificateAuthority.cached(TEST_PKI_DIR);
    const labCa = join(dir, 'lab-ca.pem');
    await writeFile(labCa, lab.cert);
    const other = await client(labCa);
    expect(other.code).not.toBe(0);
    expect(other.stdout + other.stderr).toMatch(/self[- ]signed certificate/);
  });

  test('without a name it refuses with a clear error and writes nothing', async () => {
    const empty = join(dir, 'none');
    const r = await run(process.execPath, [...BPSIM, 'certs', '--self-signed', '--out', empty]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/at least one host name or address \(--name\)/);
    await expect(stat(empty)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
