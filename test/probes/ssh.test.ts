import { describe, test, expect, beforeAll, afterAll } from 'vitest';
import { connect } from 'node:net';
import { startProbeLab, probeGuest } from './probe-lab.ts';
import { probeSsh } from '../../proxy/clients/probe/ssh.ts';
import { startSshProbe } from '../../simulators/guest/probes/ssh.ts';
import { sendAndAwaitClose } from '../helpers/sockets.ts';
import { hasCommand, run } from '../helpers/run.ts';

const hasSsh = hasCommand('ssh');

let ctx: Awaited<ReturnType<typeof startProbeLab>>;
let addr: { host: string; port: number };
beforeAll(async () => {
  ctx = await startProbeLab([probeGuest('vm-ssh', { ssh: true }), probeGuest('vm-custom', { ssh: 'SSH-2.0-dropbear_2022.83' })]);
  const e = ctx.lab.endpoint('vm-ssh', 'ssh');
  addr = { host: e.bindAddress, port: e.port };
});
afterAll(() => ctx?.lab.stop());

/** What a plain TCP client sees first: the server's line, read up to CR LF. */
function readFirstLine(host: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect({ host, port });
    let got = '';
    const timer = setTimeout(() => {
      s.destroy();
      reject(new Error('no banner within 5 s'));
    }, 5000);
    s.on('data', (d) => {
      got += d.toString('latin1');
      if (got.includes('\r\n')) {
        clearTimeout(timer);
        s.destroy();
        resolve(got);
      }
    });
    s.on('error', reject);
  });
}

describe('SSH probe listener (22)', () => {
  test('a plain client reads the RFC 4253 identification line', async () => {
    expect(await readFirstLine(addr.host, addr.port)).toBe('SSH-2.0-OpenSSH_9.2p1 bpsim\r\n');
  });

  test('the proxy probe reports open with the banner', async () => {
    const r = await probeSsh(ctx.net, 'vm-ssh.lab.test');
    expect(r).toMatchObject({ state: 'open', recognized: true, port: 22, banner: 'SSH-2.0-OpenSSH_9.2p1 bpsim', detail: 'SSH: protocol 2.0, software OpenSSH_9.2p1, comments "bpsim"' });
    expect((await probeSsh(ctx.net, 'vm-custom.lab.test')).banner).toBe('SSH-2.0-dropbear_2022.83');
  });

  test('a client identification gets SSH_MSG_DISCONNECT and a clean close', async () => {
    const { received } = await sendAndAwaitClose(addr.host, addr.port, Buffer.from('SSH-2.0-test_client\r\n'));
    const afterBanner = received.subarray('SSH-2.0-OpenSSH_9.2p1 bpsim\r\n'.length);
    expect(afterBanner[5]).toBe(1); // message number: SSH_MSG_DISCONNECT
    expect(afterBanner.readUInt32BE(0) + 4).toBe(afterBanner.length);
    expect(afterBanner.toString('latin1')).toContain('key exchange is not simulated');
    expect(ctx.lab.recorder.find({ kind: 'request', summary: 'SSH identification SSH-2.0-test_client' })).toHaveLength(1);
  });

  test.skipIf(!hasSsh)('the OpenSSH client reads the version and the disconnect reason', async () => {
    const r = await run('ssh', ['-F', '/dev/null', '-v', '-p', String(addr.port), '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'ConnectTimeout=5', `probe@${addr.host}`], { timeoutMs: 20_000 });
    expect(r.code).toBe(255);
    expect(r.stderr).toContain('Remote protocol version 2.0, remote software version OpenSSH_9.2p1 bpsim');
    expect(r.stderr).toContain('bpsim SSH probe: key exchange is not simulated');
  });

  test.each([
    ['garbage bytes', Buffer.from('\x16\x03\x01\x02\x00garbage')],
    ['a 1 MB line', Buffer.concat([Buffer.alloc(1 << 20, 0x41), Buffer.from('\r\n')])],
    ['a 1 MB line that starts like an identification', Buffer.concat([Buffer.from('SSH-2.0-'), Buffer.alloc(1 << 20, 0x41), Buffer.from('\r\n')])],
    ['an SSH 1 identification', Buffer.from('SSH-1.5-old\r\n')],
  ])('%s: refused in words, closed cleanly, and the next client is served', async (_name, data) => {
    const { received } = await sendAndAwaitClose(addr.host, addr.port, data);
    expect(received.toString('latin1')).toBe('SSH-2.0-OpenSSH_9.2p1 bpsim\r\nInvalid SSH identification string.\r\n');
    expect((await probeSsh(ctx.net, 'vm-ssh.lab.test')).state).toBe('open');
  });

  test('a banner that breaks RFC 4253 is refused at start', () => {
    const ctx0 = { listenTcp: () => Promise.reject(new Error('not reached')) };
    expect(() => startSshProbe(ctx0, 'OpenSSH without prefix')).toThrow(/SSH banner must look like/);
    expect(() => startSshProbe(ctx0, `SSH-2.0-${'x'.repeat(300)}`)).toThrow(/at most 253 characters/);
  });
});
