import { request } from 'node:http';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startBpsimUp, type RunningUp } from '../helpers/bpsim-up.ts';

const PASSWORD = 'not-the-published-default';
let up: RunningUp;
beforeAll(async () => {
  up = await startBpsimUp({ args: ['--without', 'guests,cloudcache,ntp'], env: { BPSIM_ADMIN_PASSWORD: PASSWORD } });
});
afterAll(() => up?.stop());

/** GET on the admin API with a chosen Host header and Basic credentials, over a plain socket. */
function get(path: string, host: string | undefined, password?: string): Promise<{ status: number; body: { code?: string } }> {
  const url = new URL(up.summary.admin.url);
  const headers: Record<string, string> = {};
  if (password) headers.authorization = `Basic ${Buffer.from(`admin:${password}`).toString('base64')}`;
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path, headers, setHost: false }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode!, body: text ? JSON.parse(text) : {} }));
    });
    if (host !== undefined) req.setHeader('host', host);
    req.once('error', reject);
    req.end();
  });
}

test('bpsim up takes the admin password from BPSIM_ADMIN_PASSWORD: the published default no longer works', async () => {
  const own = new URL(up.summary.admin.url).host;
  expect((await get('/topology', own, 'bpsim')).status).toBe(401);
  expect((await get('/topology', own, PASSWORD)).status).toBe(200);
});

test('the admin API answers only to loopback Host names (DNS-rebinding defence): others get 421 JSON, even on /health', async () => {
  const port = new URL(up.summary.admin.url).port;
  for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`, 'localhost']) {
    expect((await get('/topology', host, PASSWORD)).status).toBe(200);
  }
  for (const host of [`attacker.example:${port}`, 'rebind.attacker.example', `10.0.0.1:${port}`, 'localhost.attacker.example', 'bad host']) {
    for (const path of ['/topology', '/health']) {
      const r = await get(path, host, PASSWORD);
      expect(r.status).toBe(421);
      expect(r.body.code).toBe('misdirected_host');
    }
  }
});
