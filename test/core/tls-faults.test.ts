import { describe, test, expect, beforeAll, afterAll } from 'vitest';
import { CoreLab } from '../../simulators/core/lab.ts';
import { ProxyNet } from '../../proxy/net/proxy-net.ts';
import { HttpsClient } from '../../proxy/net/https-client.ts';
import { TEST_PKI_DIR } from '../helpers/lab.ts';
import { echoComponent } from '../helpers/echo-component.ts';
import { run } from '../helpers/run.ts';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let lab: CoreLab;
let net: ProxyNet;

beforeAll(async () => {
  lab = await CoreLab.create({}, { pkiDir: TEST_PKI_DIR });
  await lab.start([echoComponent()]);
  net = new ProxyNet({ endpoints: lab.endpoints(), caPem: lab.ca.cert, localAddress: lab.addressOf('proxy') });
});
afterAll(() => lab.stop());

function openssl(extra: string[]) {
  const e = lab.endpoint('echo', 'https');
  return run('openssl', ['s_client', '-connect', `${e.bindAddress}:${e.port}`, '-servername', e.hostname, ...extra], { timeoutMs: 15_000 });
}

describe('certificate faults are rejected by a verifying client', () => {
  test.each([
    ['tls-expired', /certificate has expired|CERT_HAS_EXPIRED/],
    ['tls-wrong-host', /certificate is for .*wrong-host\.invalid.*, not echo\.lab\.test/],
    ['tls-unknown-ca', /unable to (get local issuer|verify the first) certificate|UNABLE_TO_VERIFY_LEAF_SIGNATURE|self.signed/i],
  ])('%s', async (type, message) => {
    const client = new HttpsClient(net);
    const fault = lab.faults.set({ target: 'echo', type, params: {} });
    try {
      await expect(client.request({ host: 'echo.lab.test', method: 'POST', path: '/echo', body: 'x' })).rejects.toThrow(message);
      expect(lab.recorder.find({ kind: 'fault', summary: `TLS fault ${type}` }).length).toBeGreaterThan(0);
    } finally {
      lab.faults.clear(fault.id);
      client.close();
    }
    // With the fault cleared, the same client path works again.
    const again = new HttpsClient(net);
    const r = await again.request({ host: 'echo.lab.test', method: 'POST', path: '/echo', body: 'ok' });
    again.close();
    expect(r.json()).toEqual({ got: 'ok' });
  });

  test('openssl with -verify_hostname rejects the wrong-host certificate', async () => {
    const fault = lab.faults.set({ target: 'echo', type: 'tls-wrong-host', params: {} });
    try {
      const r = await openssl(['-CAfile', lab.caFile, '-verify_return_error', '-verify_hostname', 'echo.lab.test']);
      expect(r.code).not.toBe(0);
      expect(r.stdout + r.stderr).toMatch(/hostname mismatch/i);
    } finally {
      lab.faults.clear(fault.id);
    }
  });

  test('a pinned thumbprint catches a changed certificate', async () => {
    const e = lab.endpoint('echo', 'https');
    const ok = await net.connectTls('echo.lab.test', 443, { pinSha1: e.sha1 });
    ok.destroy();
    const fault = lab.faults.set({ target: 'echo', type: 'tls-thumbprint-changed', params: {} });
    try {
      await expect(net.connectTls('echo.lab.test', 443, { pinSha1: e.sha1 })).rejects.toThrow(/does not match the expected/);
    } finally {
      lab.faults.clear(fault.id);
    }
  });
});

// openssl is the judge here: it fetches the certificate a fault presents and reads it, never bpsim's PKI code.
describe('the certificates the faults present, as openssl reads them', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bpsim-tls-faults-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  /** Sets the fault, lets openssl fetch the presented certificate into a file, clears the fault. */
  async function presented(type: string): Promise<string> {
    const fault = lab.faults.set({ target: 'echo', type, params: {} });
    try {
      const r = await openssl([]);
      const pem = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(r.stdout)?.[0];
      expect(pem, r.stdout + r.stderr).toBeDefined();
      const file = join(dir, `${type}.pem`);
      await writeFile(file, `${pem}\n`);
      return file;
    } finally {
      lab.faults.clear(fault.id);
    }
  }
  const x509 = async (file: string, ...args: string[]) => (await run('openssl', ['x509', '-in', file, '-noout', ...args])).stdout;
  const verify = (...args: string[]) => run('openssl', ['verify', ...args]);

  test('tls-unknown-ca: a self-signed leaf for the component\'s own names, refused against the lab CA', async () => {
    const file = await presented('tls-unknown-ca');
    const subject = (await x509(file, '-subject')).replace(/^subject=/, '').trim();
    expect((await x509(file, '-issuer')).replace(/^issuer=/, '').trim()).toBe(subject);
    expect(subject).toMatch(/CN ?= ?echo\.lab\.test/);
    const text = await x509(file, '-text');
    expect(text).toMatch(/DNS:echo\.lab\.test/);
    expect(text).toMatch(/Signature Algorithm: sha256WithRSAEncryption/);
    expect(text).toMatch(/CA:FALSE/);
    // Its signature is its own: it verifies against itself and not against the lab CA.
    expect((await verify('-CAfile', file, file)).stdout.trim()).toBe(`${file}: OK`);
    const refused = await verify('-CAfile', lab.caFile, file);
    expect(refused.code).not.toBe(0);
    expect(refused.stdout + refused.stderr).toMatch(/self[- ]signed certificate/);
    // And a verifying TLS client refuses the handshake for the same reason.
    const fault = lab.faults.set({ target: 'echo', type: 'tls-unknown-ca', params: {} });
    try {
      const r = await openssl(['-CAfile', lab.caFile, '-verify_return_error']);
      expect(r.code).not.toBe(0);
      expect(r.stdout + r.stderr).toMatch(/self[- ]signed certificate/);
    } finally {
      lab.faults.clear(fault.id);
    }
  });

  test('tls-wrong-host: a lab-CA leaf whose only name is wrong-host.invalid', async () => {
    const file = await presented('tls-wrong-host');
    const text = await x509(file, '-text');
    expect(text).toMatch(/DNS:wrong-host\.invalid\s*$/m);
    expect(text).not.toMatch(/echo\.lab\.test/);
    expect(text).toMatch(/Signature Algorithm: sha256WithRSAEncryption/);
    expect((await x509(file, '-issuer')).replace(/^issuer=/, '').trim()).toMatch(/CN ?= ?bpsim lab CA/);
    // The chain is good; only the name is wrong.
    expect((await verify('-CAfile', lab.caFile, file)).stdout.trim()).toBe(`${file}: OK`);
    const wrong = await verify('-CAfile', lab.caFile, '-verify_hostname', 'echo.lab.test', file);
    expect(wrong.code).not.toBe(0);
    expect(wrong.stdout + wrong.stderr).toMatch(/hostname mismatch/i);
  });
});

describe('protocol versions', () => {
  test('a TLS 1.1 client is refused by default', async () => {
    const r = await openssl(['-CAfile', lab.caFile, '-tls1_1', '-cipher', 'DEFAULT@SECLEVEL=0']);
    expect(r.code).not.toBe(0);
    expect(r.stdout + r.stderr).toMatch(/alert|no protocols available|unsupported protocol|wrong version/i);
  });

  test('TLS 1.2 and 1.3 are both accepted', async () => {
    for (const v of ['-tls1_2', '-tls1_3']) {
      const r = await openssl(['-CAfile', lab.caFile, '-verify_return_error', v]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(v === '-tls1_2' ? /Protocol\s*:\s*TLSv1\.2/ : /TLSv1\.3/);
    }
  });

  test('the legacy-only fault serves TLS 1.1 and a modern client refuses it', async () => {
    const fault = lab.faults.set({ target: 'echo', type: 'tls-legacy-only', params: {} });
    try {
      await expect(net.connectTls('echo.lab.test', 443)).rejects.toThrow(/protocol|version/i);
      const r = await openssl(['-CAfile', lab.caFile, '-tls1_1', '-cipher', 'DEFAULT@SECLEVEL=0']);
      expect(r.stdout).toMatch(/Protocol\s*:\s*TLSv1\.1/);
    } finally {
      lab.faults.clear(fault.id);
    }
  });
});
