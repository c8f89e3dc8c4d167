import { describe, test, expect, beforeAll, afterAll } from 'vitest';
import { connect as tlsConnect } from 'node:tls';
import type { Endpoint } from '../../simulators/core/types.ts';
import type { Lab } from '../../simulators/lab.ts';
import { startTestLab } from '../helpers/lab.ts';
import { buildInjectionBundle } from '../../proxy/clients/guest/bundle.ts';
import { run } from '../helpers/run.ts';
import { sendAndAwaitClose, tryConnect } from '../helpers/sockets.ts';

let lab: Lab;
beforeAll(async () => {
  lab = await startTestLab();
  // Inject guestossvc into sql01 (lab side, as guest operations would) so 3542 is checked too.
  const guest = lab.world.guests.get('sql01')!;
  const bundle = buildInjectionBundle('windows');
  for (const f of bundle.files) guest.putFile(f.path, f.data, true);
  await guest.startProgram(bundle.program, bundle.args, 'Administrator');
});
afterAll(() => lab?.stop());

/** TLS from the first byte (443, 3542, 3545); authd on 902 upgrades after a banner and is checked by its own tests. */
const directTls = (e: Endpoint) => !!e.sha1 && e.transport === 'tcp';

function opensslConnect(e: Endpoint, extra: string[]) {
  return run('openssl', ['s_client', '-connect', `${e.bindAddress}:${e.port}`, '-servername', e.hostname, ...extra], { timeoutMs: 120_000 });
}

/** A real client can still use the listener: TLS handshake verified with the CA, or the plain-TCP greeting. */
async function stillServes(e: Endpoint): Promise<void> {
  if (directTls(e)) {
    await new Promise<void>((resolve, reject) => {
      const s = tlsConnect({ host: e.bindAddress, port: e.port, servername: e.hostname, ca: lab.ca.cert }, () => {
        s.destroy();
        resolve();
      });
      s.once('error', reject);
    });
  } else {
    // Plain-TCP listeners (authd banner, SSH identification, RDP) have their own protocol tests; here they must still accept.
    expect(await tryConnect(e.bindAddress, e.port), `${e.component}:${e.listener}`).toBe('connected');
  }
}

describe('every TLS endpoint, seen from outside the process', () => {
  test('verifies with openssl against the lab CA, with hostname checking', async () => {
    const tlsEndpoints = lab.endpoints().filter(directTls);
    // vCenter, two ESXi host agents, cloud, CloudCache and the injected guestossvc.
    expect(tlsEndpoints.map((e) => e.listener)).toEqual(expect.arrayContaining(['guestossvc']));
    expect(tlsEndpoints.length).toBeGreaterThanOrEqual(6);
    // One openssl per endpoint, all at once: each waits mostly on its own process start.
    await Promise.all(
      tlsEndpoints.map(async (e) => {
        const r = await opensslConnect(e, ['-CAfile', lab.caFile, '-verify_return_error', '-verify_hostname', e.hostname]);
        expect(r.code, `${e.component}:${e.listener}\n${r.stderr}`).toBe(0);
        expect(r.stdout).toContain('Verify return code: 0 (ok)');
        expect(r.stdout).toMatch(/TLSv1\.[23]/);
      }),
    );
  });

  test('a client that does not trust the lab CA is refused', async () => {
    await Promise.all(
      lab.endpoints().filter(directTls).map(async (e) => {
        const r = await opensslConnect(e, ['-no-CAfile', '-no-CApath', '-no-CAstore', '-verify_return_error']);
        expect(r.code, `${e.component}:${e.listener}`).not.toBe(0);
        expect(r.stdout + r.stderr).toMatch(/unable to get local issuer certificate|verify error/);
      }),
    );
  });
});

describe('bad input to every TCP listener', () => {
  const garbage = Buffer.from('\x16\x03\x01\xff\xffGARBAGE\x00\x01\x02 this is not any protocol\r\n', 'latin1');
  const halfHandshake = Buffer.from('160301020001', 'hex'); // a ClientHello header that never finishes
  const megaLine = Buffer.alloc(1024 * 1024 + 1, 'A');
  megaLine[megaLine.length - 1] = 0x0a;

  test.each([
    ['garbage bytes', garbage],
    ['a half-open TLS handshake', halfHandshake],
    ['a 1 MB line', megaLine],
  ])('%s: the connection is closed and the listener keeps serving', async (_name, payload) => {
    const tcp = lab.endpoints().filter((e) => e.transport === 'tcp');
    expect(tcp.length).toBeGreaterThan(0);
    await Promise.all(
      tcp.map(async (e) => {
        await sendAndAwaitClose(e.bindAddress, e.port, payload);
        await stillServes(e);
      }),
    );
  });
});
