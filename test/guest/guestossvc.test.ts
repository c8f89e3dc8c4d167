import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { connect as tlsConnect } from 'node:tls';
import { connect as netConnect } from 'node:net';
import { GuestossvcError, type GuestossvcClient } from '../../proxy/clients/guest/guestossvc-client.ts';
import type { BackupRequest, OperationStatus } from '../../simulators/core/codecs/guest-api.ts';
import type { Database } from '../../simulators/guest/sql/database.ts';
import { client, inject, startGuestLab, type GuestLab } from './helpers.ts';

const I = 'MSSQLSERVER';
let g: GuestLab;
let c: GuestossvcClient;
let db: Database;

async function backup(type: BackupRequest['type'], database = 'SalesDB'): Promise<{ op: OperationStatus; data: Buffer }> {
  const started = await c.startBackup({ instance: I, databases: [database], type });
  const op = await c.waitFor(started.id);
  if (op.state !== 'ready') throw new Error(`backup ${type} ${op.state}: ${JSON.stringify(op.error)}`);
  const { data } = await c.download(op.id, database);
  const done = await c.complete(op.id);
  expect(done.state).toBe('completed');
  return { op, data };
}

async function restoreChain(target: string, steps: { data: Buffer; recovery?: boolean; stopAt?: Date }[], replace = false) {
  const op = await c.startRestore({ instance: I, database: target, replace });
  for (const [i, s] of steps.entries()) await c.restore(op.id, s.data, { recovery: s.recovery ?? i === steps.length - 1, stopAt: s.stopAt });
  return op;
}

async function sqlError(p: Promise<unknown>): Promise<number[]> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(GuestossvcError);
  return (err as GuestossvcError).sqlNumbers;
}

beforeAll(async () => {
  g = await startGuestLab();
  const { bundle } = await inject(g.lab, 'sql01');
  c = client(g.lab, 'sql01', bundle.token);
  db = g.lab.world.sql.server('sql01')!.database(I, 'SalesDB')!;
});

afterAll(async () => {
  c?.close();
  await g?.lab.stop();
});

describe('injection', () => {
  test('guestossvc and the plugin run as guest processes and 3542 answers over TLS', async () => {
    const procs = g.lab.world.guests.get('sql01')!.listProcesses();
    const running = procs.filter((p) => !p.endTime).map((p) => p.name);
    expect(running).toContain('guestossvc.exe');
    expect(running).toContain('PhoenixSQLGuestPlugin.exe');
    const st = await c.status();
    expect(st).toMatchObject({ service: 'guestossvc', vm: 'sql01', plugin: { state: 'running' } });
    expect(g.lab.recorder.find({ kind: 'tls', to: 'guest-sql01', port: 3542 })[0]!.from).toBe('proxy');
  });

  test('a wrong token is refused with 401', async () => {
    const bad = client(g.lab, 'sql01', 'f'.repeat(64));
    await expect(bad.discover()).rejects.toMatchObject({ status: 401, body: { code: 'unauthorized' } });
    bad.close();
  });

  test('the proxy cannot reach the plugin: 3545 on the guest address is refused, the internal address resets', async () => {
    const ip = g.lab.world.inventory.vms.find((v) => v.name === 'sql01')!.ip;
    await expect(g.net.connectTcp(ip, 3545)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    const internal = g.lab.addressOf('guest-sql01/loopback');
    const err = await new Promise<NodeJS.ErrnoException>((resolve) => {
      const s = tlsConnect({ socket: netConnect({ host: internal, port: 3545, localAddress: g.lab.addressOf('proxy') }), ca: g.lab.ca.cert, servername: 'sql01.lab.test' });
      s.once('secureConnect', () => resolve(Object.assign(new Error('handshake succeeded'), { code: 'CONNECTED' })));
      s.once('error', resolve);
    });
    expect(err.code).toBe('ECONNRESET');
    expect(g.lab.recorder.find({ kind: 'fault', to: 'guest-sql01', port: 3545 }).length).toBeGreaterThan(0);
  });

  test('guestossvc reaches the plugin from inside the guest (trace: guest -> guest on 3545)', async () => {
    await c.discover();
    const hops = g.lab.recorder.find({ kind: 'request', port: 3545 });
    expect(hops.length).toBeGreaterThan(0);
    expect(hops.every((e) => e.from === 'guest-sql01' && e.to === 'guest-sql01')).toBe(true);
  });
});

describe('discovery and backups', () => {
  test('discover lists the instance and its databases with recovery models', async () => {
    const [inst] = await c.discover();
    expect(inst!.name).toBe(I);
    const models = Object.fromEntries(inst!.databases.map((d) => [d.name, d.recoveryModel]));
    expect(models).toEqual({ SalesDB: 'FULL', HRDB: 'SIMPLE', InventoryDB: 'BULK_LOGGED' });
    const writers = await c.writers();
    expect(writers.find((w) => w.name === 'SqlServerWriter')).toMatchObject({ state: 1, stateText: 'Stable' });
  });

  test('full + differential + log backups, restored to an alternate name, equal the source (checksum)', async () => {
    db.runTransactions(20);
    const full = await backup('full');
    db.runTransactions(10);
    const log1 = await backup('log');
    db.runTransactions(10);
    const diff = await backup('diff');
    db.runTransactions(10);
    const log2 = await backup('log');
    const [f, l1, d, l2] = [full, log1, diff, log2].map((b) => b.op.backupSets[0]!);
    expect(f!.method).toBe('vss');
    expect(l1!.method).toBe('native');
    expect(d!.differentialBaseLsn).toBe(f!.checkpointLsn);
    expect(l1!.firstLsn).toBe(f!.firstLsn);
    expect(l2!.firstLsn).toBe(l1!.lastLsn);
    expect(l2!.databaseBackupLsn).toBe(f!.checkpointLsn);
    const want = db.checksum(BigInt(l2!.lastLsn));
    expect(l2!.databaseChecksum).toBe(want);

    await restoreChain('SalesDB_viaDiff', [{ data: full.data }, { data: diff.data }, { data: log2.data }]);
    expect((await c.checksum(I, 'SalesDB_viaDiff')).checksum).toBe(want);
    await restoreChain('SalesDB_viaLogs', [{ data: full.data }, { data: log1.data }, { data: log2.data }]);
    expect((await c.checksum(I, 'SalesDB_viaLogs')).checksum).toBe(want);
    const partial = await restoreChain('SalesDB_full', [{ data: full.data }]);
    expect((await c.operation(partial.id)).databaseState).toBe('ONLINE');
    expect((await c.checksum(I, 'SalesDB_full')).checksum).not.toBe(want);

    const log = await c.errorLog(I);
    expect(log.some((e) => e.number === 3197 && e.message.includes('SalesDB'))).toBe(true);
    expect(log.some((e) => e.number === 3198 && e.message.includes('SalesDB'))).toBe(true);
  });

  test('point-in-time restore (STOPAT) equals the source at that time', async () => {
    const full = await backup('full');
    const first = db.runTransactions(8);
    await new Promise((r) => setTimeout(r, 5));
    db.runTransactions(8);
    const log = await backup('log');
    const stopAt = first.lastTime;
    const op = await restoreChain('SalesDB_pit', [{ data: full.data, recovery: false }, { data: log.data, recovery: true, stopAt }]);
    const got = (await c.checksum(I, 'SalesDB_pit')).checksum;
    expect(got).toBe(db.checksum(db.lsnAt(stopAt)));
    expect(got).not.toBe(db.checksum(BigInt(log.op.backupSets[0]!.lastLsn)));
    expect((await c.operation(op.id)).state).toBe('completed');
  });

  test('a copy-only full is never a differential base (3136)', async () => {
    const full = await backup('full');
    db.runTransactions(3);
    const copy = await backup('copy-only');
    const diff = await backup('diff');
    expect(diff.op.backupSets[0]!.differentialBaseLsn).toBe(full.op.backupSets[0]!.checkpointLsn);
    expect(await sqlError(restoreChain('SalesDB_copydiff', [{ data: copy.data, recovery: false }, { data: diff.data }]))).toEqual([3136, 3013]);
  });
});

describe('wrong chains give SQL Server errors', () => {
  test('4305: a log that begins after the restored point', async () => {
    const full = await backup('full');
    db.runTransactions(3);
    await backup('log');
    db.runTransactions(3);
    const l2 = await backup('log');
    expect(await sqlError(restoreChain('SalesDB_4305', [{ data: full.data, recovery: false }, { data: l2.data }]))).toEqual([4305, 3013]);
  });

  test('4326: a log that ends before the restored point', async () => {
    db.runTransactions(3);
    const l1 = await backup('log');
    db.runTransactions(3);
    const full2 = await backup('full');
    expect(await sqlError(restoreChain('SalesDB_4326', [{ data: full2.data, recovery: false }, { data: l1.data }]))).toEqual([4326, 3013]);
  });

  test('3117: a log onto a database already recovered; 3159: a full over a database with an unsaved log tail', async () => {
    const full = await backup('full');
    db.runTransactions(2);
    const log = await backup('log');
    await restoreChain('SalesDB_3117', [{ data: full.data, recovery: true }]);
    expect(await sqlError(restoreChain('SalesDB_3117', [{ data: log.data }]))).toEqual([3117, 3013]);
    db.runTransactions(2);
    expect(await sqlError(restoreChain('SalesDB', [{ data: full.data }]))).toEqual([3159, 3013]);
  });

  test('4214: log backup without a full; 4208: log backup under SIMPLE; 3041 in the error log', async () => {
    const op = await c.waitFor((await c.startBackup({ instance: I, databases: ['InventoryDB'], type: 'log' })).id);
    expect(op.state).toBe('failed');
    expect(op.error!.sqlErrors!.map((m) => m.number)).toEqual([4214, 3013]);
    const simple = await c.waitFor((await c.startBackup({ instance: I, databases: ['HRDB'], type: 'log' })).id);
    expect(simple.error!.sqlErrors!.map((m) => m.number)).toEqual([4208, 3013]);
    expect((await c.errorLog(I)).some((e) => e.number === 3041 && e.message.includes('InventoryDB'))).toBe(true);
  });

  test('3201: a restore with no backup data', async () => {
    expect(await sqlError(restoreChain('SalesDB_3201', [{ data: Buffer.alloc(0) }]))).toEqual([3201, 3013]);
  });

  test('broken-log-chain: a foreign log backup leaves a gap that restore reports as 4305', async () => {
    const full = await backup('full');
    db.runTransactions(2);
    const l1 = await backup('log');
    g.lab.faults.set({ target: 'guest-sql01', type: 'broken-log-chain', params: {}, remaining: 1 });
    db.runTransactions(2);
    const l2 = await backup('log');
    expect(BigInt(l2.op.backupSets[0]!.firstLsn)).toBeGreaterThan(BigInt(l1.op.backupSets[0]!.lastLsn));
    expect(await sqlError(restoreChain('SalesDB_gap', [{ data: full.data, recovery: false }, { data: l1.data, recovery: false }, { data: l2.data }]))).toEqual([4305, 3013]);
  });
});

describe('VSS faults', () => {
  test('vss-writer-failed: the backup fails and SqlServerWriter reports [8] Failed', async () => {
    g.lab.faults.set({ target: 'guest-sql01', type: 'vss-writer-failed', params: {}, remaining: 1 });
    const op = await c.waitFor((await c.startBackup({ instance: I, databases: ['SalesDB'], type: 'full' })).id);
    expect(op.state).toBe('failed');
    expect(op.error).toMatchObject({ code: 'vss-error', vss: { writer: 'SqlServerWriter', state: 8, error: 'VSS_E_WRITERERROR_NONRETRYABLE' } });
    expect((await c.writers()).find((w) => w.name === 'SqlServerWriter')).toMatchObject({ state: 8, stateText: 'Failed', lastError: 'Non-retryable error' });
    await backup('full');
    expect((await c.writers()).find((w) => w.name === 'SqlServerWriter')!.state).toBe(1);
  });

  test('vss-freeze-timeout: freeze outlives the limit, VSS_E_WRITERERROR_TIMEOUT, I/O resumed', async () => {
    g.lab.faults.set({ target: 'guest-sql01', type: 'vss-freeze-timeout', params: { limitSeconds: 0.2 }, remaining: 1 });
    const before = (await c.errorLog(I)).length;
    const op = await c.waitFor((await c.startBackup({ instance: I, databases: ['SalesDB'], type: 'full' })).id);
    expect(op.state).toBe('failed');
    expect(op.error!.vss).toMatchObject({ error: 'VSS_E_WRITERERROR_TIMEOUT', hresult: '0x800423F2' });
    const lines = (await c.errorLog(I)).slice(before).map((e) => e.number);
    expect(lines).toEqual(expect.arrayContaining([3197, 3198, 3041]));
    expect(lines.indexOf(3197)).toBeLessThan(lines.indexOf(3198));
  });
});

describe('service faults and lifecycle', () => {
  test('sql-plugin-not-starting: terminated plugin is not restarted while the fault is set', async () => {
    const guest = g.lab.world.guests.get('sql01')!;
    const plugin = guest.listProcesses().find((p) => p.name === 'PhoenixSQLGuestPlugin.exe' && !p.endTime)!;
    await guest.terminate(plugin.pid);
    const f = g.lab.faults.set({ target: 'guest-sql01', type: 'sql-plugin-not-starting', params: {} });
    await expect(c.discover()).rejects.toMatchObject({ status: 503, body: { code: 'plugin-unavailable' } });
    expect((await c.status()).plugin).toMatchObject({ state: 'failed', exitCode: 1067 });
    g.lab.faults.clear(f.id);
    expect((await c.discover())[0]!.name).toBe(I);
  });

  test('guestossvc-down: the service crashes, 3542 closes; it does not start while set; terminate closes ports', async () => {
    const f = g.lab.faults.set({ target: 'guest-sql01', type: 'guestossvc-down', params: {} });
    const ip = g.lab.world.inventory.vms.find((v) => v.name === 'sql01')!.ip;
    const guest = g.lab.world.guests.get('sql01')!;
    await expect.poll(() => guest.listProcesses().find((p) => p.name === 'guestossvc.exe')?.exitCode).toBe(3221225477);
    await expect(g.net.connectTcp(ip, 3542)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    const { pid } = await inject(g.lab, 'sql01');
    expect(guest.listProcesses([pid])[0]!.exitCode).toBe(1067);
    g.lab.faults.clear(f.id);
    const again = await inject(g.lab, 'sql01');
    const c2 = client(g.lab, 'sql01', again.bundle.token);
    expect((await c2.status()).plugin.state).toBe('running');
    await guest.terminate(again.pid);
    await expect(g.net.connectTcp(ip, 3542)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    expect(guest.listProcesses().filter((p) => p.name === 'PhoenixSQLGuestPlugin.exe').every((p) => p.endTime)).toBe(true);
    c2.close();
    c = client(g.lab, 'sql01', (await inject(g.lab, 'sql01')).bundle.token);
  });

  test('tampered or missing files: guestossvc exits instead of listening', async () => {
    const { bundle } = await inject(g.lab, 'app01');
    const guest = g.lab.world.guests.get('app01')!;
    await guest.terminate(guest.listProcesses().find((p) => p.name === 'guestossvc.exe' && !p.endTime)!.pid);
    const plugin = bundle.files[1]!;
    guest.putFile(plugin.path, Buffer.concat([plugin.data.subarray(0, plugin.data.length - 1), Buffer.from([plugin.data.at(-1)! ^ 1])]), true);
    const pid = await guest.startProgram(bundle.program, bundle.args, 'Administrator');
    expect(guest.listProcesses([pid])[0]).toMatchObject({ exitCode: 2 });
    await expect(guest.startProgram('C:\\nope\\guestossvc.exe', '', 'Administrator')).rejects.toMatchObject({ fault: 'FileNotFound' });
  });

  test('guest-credentials-rejected and power off: guest operations fail with the vim fault names', async () => {
    const guest = g.lab.world.guests.get('web01')!;
    const f = g.lab.faults.set({ target: 'guest-web01', type: 'guest-credentials-rejected', params: {}, remaining: 1 });
    expect(() => guest.putFile('/tmp/x', Buffer.from('x'), true)).toThrow(expect.objectContaining({ fault: 'InvalidGuestLogin' }));
    g.lab.faults.clear(f.id);
    const ip = g.lab.world.inventory.vms.find((v) => v.name === 'web01')!.ip;
    (await g.net.connectTcp(ip, 22)).destroy();
    g.lab.world.inventory.vms.find((v) => v.name === 'web01')!.powerState = 'poweredOff';
    await g.lab.world.guests.powerChanged('web01', false);
    await expect(g.net.connectTcp(ip, 22)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    expect(() => guest.listProcesses()).toThrow(expect.objectContaining({ fault: 'GuestOperationsUnavailable' }));
    g.lab.world.inventory.vms.find((v) => v.name === 'web01')!.powerState = 'poweredOn';
    await g.lab.world.guests.powerChanged('web01', true);
    const net = new (g.net.constructor as typeof import('../../proxy/net/proxy-net.ts').ProxyNet)({ endpoints: g.lab.endpoints(), caPem: g.lab.ca.cert, localAddress: g.lab.addressOf('proxy') });
    (await net.connectTcp(ip, 22)).destroy();
  });
});
