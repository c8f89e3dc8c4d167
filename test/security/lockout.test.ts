import { request as httpsRequest } from 'node:https';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Lab } from '../../simulators/lab.ts';
import type { LabOptions } from '../../simulators/lab-options.ts';
import { HttpsClient } from '../../proxy/net/https-client.ts';
import { VsphereClient } from '../../proxy/clients/vsphere/index.ts';
import { startTestLab, proxyNetFor } from '../helpers/lab.ts';
import { RawAuthd } from './authd-client.ts';

/** A lab whose lockout windows run on a clock the test moves. */
async function clockedLab(options: LabOptions = {}) {
  let now = Date.parse('2026-11-01T00:00:00Z');
  const lab = await startTestLab({ without: ['guests', 'ntp', 'cloudcache'], clock: () => now, ...options });
  const http = new HttpsClient(proxyNetFor(lab));
  return {
    lab,
    advance: (seconds: number) => void (now += seconds * 1000),
    /** One SOAP Login; resolves to the fault type, or 'ok'. */
    login: async (host: string, user: string, password: string) => {
      const c = await VsphereClient.connect(http, host);
      return c.login(user, password).then(
        () => 'ok',
        (err: { faultType?: string }) => err.faultType ?? String(err),
      );
    },
    stop: async () => {
      http.close();
      await lab.stop();
    },
  };
}

type Clocked = Awaited<ReturnType<typeof clockedLab>>;

/** POST /api/v1/activate straight over TLS (no client retries): status, Retry-After and code. */
function activate(lab: Lab, token: string, proxyName: string, localAddress = '127.0.0.1'): Promise<{ status: number; retryAfter?: string; code?: string; message?: string }> {
  const ep = lab.endpoint('cloud', 'https');
  return new Promise((resolve, reject) => {
    const body = JSON.stringify({ activationToken: token, proxyName });
    const req = httpsRequest(
      { host: ep.bindAddress, port: ep.port, localAddress, servername: ep.hostname, ca: lab.ca.cert, method: 'POST', path: '/api/v1/activate', headers: { host: ep.hostname, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode!, retryAfter: res.headers['retry-after'] as string | undefined, ...(text ? { code: JSON.parse(text).code, message: JSON.parse(text).message } : {}) }));
      },
    );
    req.once('error', reject);
    req.end(body);
  });
}

describe('lockout "vmware" (the default)', () => {
  let t: Clocked;
  beforeAll(async () => {
    t = await clockedLab();
  });
  afterAll(() => t?.stop());

  test('vCenter SSO: 5 failures in 180 s lock the account; the right password gets InvalidLogin until 300 s have passed', async () => {
    const { user, password } = t.lab.credentials.vcenter!;
    // Failures further apart than the 180 s window never add up to a lockout.
    for (let i = 0; i < 6; i++) {
      expect(await t.login('vcenter.lab.test', user, 'wrong')).toBe('InvalidLogin');
      t.advance(100);
    }
    expect(await t.login('vcenter.lab.test', user, password)).toBe('ok');
    for (let i = 0; i < 5; i++) expect(await t.login('vcenter.lab.test', user, 'wrong')).toBe('InvalidLogin');
    expect(await t.login('vcenter.lab.test', user, password)).toBe('InvalidLogin');
    t.advance(299);
    expect(await t.login('vcenter.lab.test', user, password)).toBe('InvalidLogin');
    t.advance(2);
    expect(await t.login('vcenter.lab.test', user, password)).toBe('ok');
    // The lock shows in the trace, so a suite can tell it from a wrong password.
    expect(t.lab.recorder.events.some((e) => e.kind === 'error' && /is locked/.test(e.summary))).toBe(true);
  });

  test('authd closes the connection after 3 failed PASS with a 530; ESXi locks root after 5 failures, for SOAP Login too, for 900 s', async () => {
    const ep = t.lab.endpoint('esxi-01', 'authd');
    const { user, password } = t.lab.credentials.esxi!;
    const first = await RawAuthd.open(ep);
    expect(await first.login(user, 'wrong-1')).toBe('530 Login incorrect.');
    expect(await first.login(user, 'wrong-2')).toBe('530 Login incorrect.');
    expect(await first.login(user, 'wrong-3')).toMatch(/^530 .*too many failed attempts/);
    await first.ended();
    const second = await RawAuthd.open(ep);
    expect(await second.login(user, 'wrong-4')).toBe('530 Login incorrect.');
    expect(await second.login(user, 'wrong-5')).toBe('530 Login incorrect.');
    // Locked: the right password is refused on 902 and on the host agent's SOAP Login (one PAM lockout per host).
    expect(await second.login(user, password)).toMatch(/^530 /);
    second.close();
    expect(await t.login('esxi-01.lab.test', user, password)).toBe('InvalidLogin');
    // Another host keeps its own counter.
    expect(await t.login('esxi-02.lab.test', user, password)).toBe('ok');
    t.advance(901);
    const third = await RawAuthd.open(ep);
    expect(await third.login(user, password)).toBe(`230 User ${user} logged in.`);
    third.close();
    expect(await t.login('esxi-01.lab.test', user, password)).toBe('ok');
  });

  test('pyVmomi sees vim.fault.InvalidLogin for the right password once the account is locked', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bpsim-lockout-'));
    try {
      const ca = join(dir, 'ca.pem');
      await writeFile(ca, t.lab.ca.cert);
      const ep = t.lab.endpoint('vcenter', 'https');
      const { user, password } = t.lab.credentials.vcenter!;
      const script = new URL('./pyvmomi_lockout.py', import.meta.url).pathname;
      const { stdout } = await promisify(execFile)('/usr/bin/python3', [script, ep.bindAddress, String(ep.port), ca, user, password, '5'], { timeout: 120_000 });
      expect(stdout.trim().split('\n')).toEqual([...Array(6).fill('vim.fault.InvalidLogin')]);
      t.advance(301);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('cloud activation: after 10 wrong tokens from one address, 429 with Retry-After, even for the right token, until 60 s passed', async () => {
    for (let i = 0; i < 10; i++) expect(await activate(t.lab, `BPSIM-ACT-WRONG-${i}`, 'p')).toMatchObject({ status: 403, code: 'invalid_activation_token' });
    const throttled = await activate(t.lab, t.lab.credentials.cloud!.password, 'throttled-proxy');
    expect(throttled).toMatchObject({ status: 429, code: 'too_many_attempts', retryAfter: '60' });
    // Counted per source address: the message names the caller's.
    expect(throttled.message).toMatch(/from 127\.0\.0\.1;/);
    expect(await activate(t.lab, t.lab.credentials.cloud!.password, 'other-address', t.lab.addressOf('proxy'))).toMatchObject({ status: 201 });
    t.advance(61);
    expect(await activate(t.lab, t.lab.credentials.cloud!.password, 'throttled-proxy')).toMatchObject({ status: 201 });
  });
});

describe('lockout "off"', () => {
  let t: Clocked;
  beforeAll(async () => {
    t = await clockedLab({ lockout: 'off', without: ['guests', 'ntp', 'cloudcache'] });
  });
  afterAll(() => t?.stop());

  test('no lockout, no PASS limit, no activation throttling', async () => {
    const vc = t.lab.credentials.vcenter!;
    for (let i = 0; i < 8; i++) expect(await t.login('vcenter.lab.test', vc.user, 'wrong')).toBe('InvalidLogin');
    expect(await t.login('vcenter.lab.test', vc.user, vc.password)).toBe('ok');
    const esx = t.lab.credentials.esxi!;
    const conn = await RawAuthd.open(t.lab.endpoint('esxi-01', 'authd'));
    for (let i = 0; i < 6; i++) expect(await conn.login(esx.user, 'wrong')).toBe('530 Login incorrect.');
    expect(await conn.login(esx.user, esx.password)).toBe(`230 User ${esx.user} logged in.`);
    conn.close();
    for (let i = 0; i < 12; i++) expect((await activate(t.lab, 'BPSIM-ACT-WRONG', 'p')).status).toBe(403);
    expect((await activate(t.lab, t.lab.credentials.cloud!.password, 'p')).status).toBe(201);
  });
});
