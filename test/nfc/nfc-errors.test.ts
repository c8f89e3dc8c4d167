import { describe, test, expect, beforeAll, afterAll } from 'vitest';
import { startNfcLab, type NfcLab } from './harness.ts';
import { NfcConnection, NfcClientError } from '../../proxy/clients/nfc/index.ts';
import { Vix } from '../../simulators/core/codecs/nfc/index.ts';
import { CbtError } from '../../simulators/disk/index.ts';

let t: NfcLab;
beforeAll(async () => {
  t = await startNfcLab();
});
afterAll(async () => {
  await t?.lab.stop();
});

async function failure(p: Promise<unknown>): Promise<NfcClientError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(NfcClientError);
  return err as NfcClientError;
}

const open = (sessionId: string, opts = {}) => NfcConnection.open(t.net, { host: t.host, sslThumbprint: t.sha1, sessionId }, { timeoutMs: 5000, ...opts });

describe('902 errors', () => {
  test('a ticket works once; the second use gets 530', async () => {
    const vm = t.vm('web01');
    const path = t.disks.get(vm.moid, 2000)!.currentFileName;
    const ticket = t.ticket(vm, [path]);
    const conn = await open(ticket.sessionId);
    await conn.close();
    const e = await failure(open(ticket.sessionId));
    expect(e.kind).toBe('AUTHD');
    expect(e.details.authdCode).toBe(530);
    expect(e.message).toMatch(/already used/);
  });

  test('an expired ticket and an unknown ticket get 530 with their reason', async () => {
    const vm = t.vm('web01');
    const ticket = t.ticket(vm, ['x']);
    t.tickets.expire(ticket.sessionId);
    expect((await failure(open(ticket.sessionId))).message).toMatch(/530 .*expired/);
    expect((await failure(open('52deadbeef'))).message).toMatch(/530 .*unknown/);
    const other = t.ticket(vm, ['x'], 'read', 'esxi-02.lab.test');
    expect((await failure(open(other.sessionId))).message).toMatch(/530 .*another host/);
  });

  test('a wrong thumbprint: the client refuses before it sends the ticket', async () => {
    const vm = t.vm('web01');
    const ticket = t.ticket(vm, ['x']);
    const wrong = t.sha1.replace(/^[0-9A-F]{2}/, (h) => (h === '00' ? '01' : '00'));
    const e = await failure(NfcConnection.open(t.net, { host: t.host, sslThumbprint: wrong, sessionId: ticket.sessionId }));
    expect(e.kind).toBe('THUMBPRINT_MISMATCH');
    // The ticket never reached the host: it still works.
    const conn = await open(ticket.sessionId);
    await conn.close();
  });

  test('a path the ticket does not cover, a missing file, and a write on a read ticket', async () => {
    const vm = t.vm('web01');
    const disk = t.disks.get(vm.moid, 2000)!;
    const conn = await open(t.ticket(vm, [disk.currentFileName, '[datastore1] web01/missing.vmdk']).sessionId);
    const other = t.disks.get(t.vm('dc01').moid, 2000)!.currentFileName;
    const e1 = await failure(conn.openDisk(other));
    expect(e1.kind).toBe('NFC');
    expect(e1.details.vixCode).toBe(Vix.HOST_USER_PERMISSIONS);
    expect(e1.message).toMatch(/does not cover/);
    const e2 = await failure(conn.openDisk('[datastore1] web01/missing.vmdk'));
    expect(e2.details.vixCode).toBe(Vix.FILE_NOT_FOUND);
    const e3 = await failure(conn.openDisk(disk.currentFileName, { readOnly: false }));
    expect(e3.details.vixCode).toBe(Vix.FILE_READ_ONLY);
    // The session is still good after request errors.
    const d = await conn.openDisk(disk.currentFileName);
    expect(await d.read(0, 512)).toHaveLength(512);
    const e4 = await failure(d.write(0, Buffer.alloc(512)));
    expect(e4.details.vixCode).toBe(Vix.FILE_READ_ONLY);
    await conn.close();
  });

  test('reading past the end gets VIX_E_DISK_OUTOFRANGE and the session goes on', async () => {
    const vm = t.vm('web01');
    const disk = t.disks.get(vm.moid, 2000)!;
    const conn = await open(t.ticket(vm, [disk.currentFileName]).sessionId);
    const d = await conn.openDisk(disk.currentFileName);
    const e = await failure(d.read(disk.capacityBytes - 512, 1024));
    expect(e.details.vixCode).toBe(Vix.DISK_OUTOFRANGE);
    expect(e.vixName).toBe('VIX_E_DISK_OUTOFRANGE');
    expect((await d.read(disk.capacityBytes - 512, 512)).length).toBe(512);
    const e2 = await failure(d.read(100, 512));
    expect(e2.details.vixCode).toBe(Vix.INVALID_ARG);
    await conn.close();
  });

  test('a changeId from before a CBT reset is a FileFault (disk model, used by QueryChangedDiskAreas)', () => {
    const disk = t.disks.get(t.vm('dc01').moid, 2000)!;
    const s = disk.freeze('pre-reset');
    disk.release('pre-reset');
    disk.resetCbt();
    disk.freeze('post-reset');
    const err = (() => {
      try {
        disk.queryChangedAreas('post-reset', 0, s.changeId!);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(CbtError);
    expect((err as CbtError).fault).toBe('FileFault');
    disk.release('post-reset');
  });

  test('faults: nfc-read-error at an offset, ticket-rejected', async () => {
    const vm = t.vm('web01');
    const disk = t.disks.get(vm.moid, 2000)!;
    const f = t.lab.faults.set({ target: 'esxi-01', type: 'nfc-read-error', params: { offset: 1024 * 1024 + 4096 }, remaining: 1 });
    const conn = await open(t.ticket(vm, [disk.currentFileName]).sessionId);
    const d = await conn.openDisk(disk.currentFileName);
    expect(await d.read(0, 1024 * 1024)).toHaveLength(1024 * 1024);
    const e = await failure(d.read(1024 * 1024, 1024 * 1024));
    expect(e.details.vixCode).toBe(Vix.DISK_NOIO);
    expect(t.lab.faults.list().find((x) => x.id === f.id)).toBeUndefined();
    expect(await d.read(1024 * 1024, 1024 * 1024)).toHaveLength(1024 * 1024);
    await conn.close();

    t.lab.faults.set({ target: 'esxi-01:authd', type: 'ticket-rejected', params: {}, remaining: 1 });
    const ticket = t.ticket(vm, [disk.currentFileName]);
    const e2 = await failure(open(ticket.sessionId));
    expect(e2.details.authdCode).toBe(530);
    expect(e2.message).toMatch(/rejected/);
  });

  test('password logins (USER/PASS) and encrypted disks over plain NBD', async () => {
    const login = { user: 'root', password: 'nope' };
    const e = await failure(NfcConnection.open(t.net, { host: t.host, sslThumbprint: t.sha1, login }));
    expect(e.details.authdCode).toBe(530);
    const good = t.lab.credentials.esxi!;
    const vault = t.disks.get(t.vm('vault01').moid, 2000)!;
    const nbd = await NfcConnection.open(t.net, { host: t.host, sslThumbprint: t.sha1, login: good }, { ssl: false });
    expect((await failure(nbd.openDisk(vault.currentFileName))).details.vixCode).toBe(Vix.FILE_ACCESS_ERROR);
    await nbd.close();
    const ssl = await NfcConnection.open(t.net, { host: t.host, sslThumbprint: t.sha1, login: good });
    const d = await ssl.openDisk(vault.currentFileName);
    expect((await d.read(0, 4096)).equals(vault.read({ disk: vault, readOnly: true }, 0, 4096))).toBe(true);
    await ssl.close();
  });
});
