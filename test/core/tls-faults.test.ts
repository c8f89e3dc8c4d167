import { describe, test, expect, beforeAll, afterAll } from 'vitest';
import { CoreLab } from '../../simulators/core/lab.ts';
import { ProxyNet } from '../../proxy/net/proxy-net.ts';
import { HttpsClient } from '../../proxy/net/https-client.ts';
import { TEST_PKI_DIR } from '../helpers/lab.ts';
import { echoComponent } from '../helpers/echo-component.ts';
import { run } from '../helpers/run.ts';

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
