import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, test, expect, beforeAll, vi } from 'vitest';
import type { Lab } from '../../simulators/lab.ts';
import type { BackupProxy } from '../../proxy/backup-proxy.ts';
import type { SqlBackupEntry } from '../../simulators/core/codecs/cloud-api.ts';
import { SqlInstance } from '../../simulators/guest/sql/server.ts';
import { Database } from '../../simulators/guest/sql/database.ts';
import { GuestossvcClient, GuestossvcError } from '../../proxy/clients/guest/guestossvc-client.ts';
import { guestError } from '../../proxy/flows/sql-backup.ts';
import { flowLab, failure } from '../helpers/flow-lab.ts';

/**
 * The decisions of the SQL backup flow, one shared lab: each judged by the guest's SQL Server model
 * (its databases, chain state and error log), the cloud's catalog and the blocks on CloudCache,
 * the lab's trace and the proxy's log. A second instance, SQLEXPRESS, holds four 128 KiB databases
 * so that defaults and every catalog field are judged without megabytes of data.
 */
let express: SqlInstance;
const shared = flowLab({}, async ({ lab }) => {
  const server = lab.world.sql.server('sql01')!;
  express = new SqlInstance('SQLEXPRESS', server.instance('MSSQLSERVER')!.server, 'flow-sql-backup:SQLEXPRESS');
  const tiny = (name: string, model: 'FULL' | 'SIMPLE' | 'BULK_LOGGED') => new Database(name, model, 1, `flow-sql-backup:${name}`);
  const restoring = tiny('TinyRestoring', 'FULL');
  restoring.state = 'RESTORING';
  for (const db of [tiny('TinyFull', 'FULL'), tiny('TinySimple', 'SIMPLE'), restoring, tiny('TinyBulk', 'BULK_LOGGED')]) express.put(db);
  server.instances.set('SQLEXPRESS', express);
});
const { logs, progress } = shared;
let lab: Lab;
let proxy: BackupProxy;
beforeAll(() => ({ lab, proxy } = shared));

const seqNow = () => shared.seqNow();
const requests = (since: number, to: string, summary: RegExp) => lab.recorder.find({ kind: 'request', from: 'proxy', to, summary, since });
const tinyDb = (name: string) => express.database(name)!;
/** guestossvc processes still running in sql01 (the flow must leave none, whatever happened). */
const runningGuestossvc = () => lab.world.guests!.get('sql01')!.listProcesses().filter((p) => /^guestossvc/.test(p.name) && p.exitCode === undefined);
/** SQL Server's display form of an LSN (vlf:block:slot), from its decimal form vlf*10^15 + block*10^5 + slot. */
const lsnText = (lsn: string) => {
  const n = BigInt(lsn);
  return `${n / 10n ** 15n}:${(n / 10n ** 5n) % 10n ** 10n}:${n % 10n ** 5n}`;
};
/** The history line SQL Server writes to its error log when the backup completes (18264 full, 18270 diff, 18265 log). */
const historyOf = (inst: SqlInstance, number: number, database: string) => inst.errorLog.entries.filter((e) => e.number === number && e.message.includes(`Database: ${database},`));

/** The fields of a catalog entry the SQL flow fills beyond the catalog's own. */
type Entry = SqlBackupEntry & { backupSetId: string; streamBytes: number; streamSha256: string; databaseChecksum: string };
const streamBytes = (entries: SqlBackupEntry[]) => (entries as Entry[]).reduce((n, e) => n + e.streamBytes, 0);

/** Each entry as the proxy must have built it: the guest's history line, the data on CloudCache, the cloud's catalog. */
async function expectCatalogued(entry: SqlBackupEntry, inst: SqlInstance, history: number, t0: string, t1: string) {
  const e = entry as Entry;
  const line = historyOf(inst, history, e.database).at(-1)?.message;
  expect(line, `${e.database}: no history line ${history}`).toBeDefined();
  expect(line).toContain(`first LSN: ${lsnText(e.firstLsn)}, last LSN: ${lsnText(e.lastLsn)},`);
  expect(line).toContain(`{'{${e.backupSetId.toUpperCase()}}1'}`);
  expect(e.time >= t0 && e.time <= t1, `${e.time} within ${t0}..${t1}`).toBe(true);
  // The blocks, in order, are the stream: its length and SHA-256.
  const cache = proxy.cloud.withHost(proxy.config.cloudcache!.host);
  const data = Buffer.concat(await Promise.all(e.blocks.map((h) => cache.downloadBlock(h))));
  expect(data.length).toBe(e.streamBytes);
  expect(createHash('sha256').update(data).digest('hex')).toBe(e.streamSha256);
  const db = inst.database(e.database)!;
  expect(e.databaseChecksum).toBe(db.checksum(BigInt(e.lastLsn)));
  expect(await proxy.cloud.queryCatalog({ instance: inst.name, database: e.database, type: e.type })).toContainEqual({ ...e, id: expect.any(String) });
  expect(logs).toContain(`info sql01: ${e.database} ${e.type} LSN ${e.firstLsn}..${e.lastLsn} catalogued (${e.blocks.length} blocks)`);
}

describe('SQL backup decisions', () => {
  test('no instance named: the first the guest reports (MSSQLSERVER); databases named: only those', async () => {
    const r = await proxy.backupSql({ vm: 'sql01', type: 'full', databases: ['InventoryDB'] });
    expect(r).toMatchObject({ vm: 'sql01', instance: 'MSSQLSERVER', type: 'full', target: 'cloudcache' });
    expect(r.entries.map((e) => [e.instance, e.database])).toEqual([['MSSQLSERVER', 'InventoryDB']]);
    expect(logs).toContain('info sql01: full backup of MSSQLSERVER: InventoryDB');
  });

  test('a named instance, default databases: every ONLINE one (not RESTORING); each entry matches the guest, the data and the catalog', async () => {
    const since = seqNow();
    const t0 = new Date().toISOString();
    const r = await proxy.backupSql({ vm: 'sql01', instance: 'SQLEXPRESS', type: 'full' });
    const t1 = new Date().toISOString();
    expect(logs).toContain('info sql01: full backup of SQLEXPRESS: TinyFull, TinySimple, TinyBulk');
    expect(r.entries.map((e) => e.database)).toEqual(['TinyFull', 'TinySimple', 'TinyBulk']);
    for (const e of r.entries) {
      expect(e).toMatchObject({ instance: 'SQLEXPRESS', server: 'sql01', type: 'full', method: 'vss', databaseBackupLsn: '0', differentialBaseLsn: undefined });
      // The full's checkpoint is what the guest now bases differentials on.
      expect(e.checkpointLsn).toBe(tinyDb(e.database).chain.diffBaseLsn!.toString());
      await expectCatalogued(e, express, 18264, t0, t1);
    }
    // SQL Server hears "complete" only after every catalog entry is stored.
    const catalogued = requests(since, 'cloud', /^POST \/api\/v1\/catalog\/sql$/).map((e) => e.seq);
    const complete = requests(since, 'guest-sql01', /^POST \/api\/v1\/operations\/[^/]+\/complete$/).map((e) => e.seq);
    expect(catalogued).toHaveLength(3);
    expect(complete).toHaveLength(1);
    expect(Math.max(...catalogued)).toBeLessThan(complete[0]!);

    // Bytes: the result and the progress events add up to the three streams.
    const total = streamBytes(r.entries);
    expect(r.bytesRead).toBe(total);
    expect(r.bytesSent).toBeGreaterThan(0);
    expect(r.bytesSent).toBeLessThanOrEqual(total);
    const ours = progress.filter((p) => p.phase === 'sql-backup');
    expect(ours.length).toBeGreaterThanOrEqual(3);
    for (const p of ours) expect(p.bytesTotal).toBe(total);
    for (let i = 1; i < ours.length; i++) {
      expect(ours[i]!.bytesDone).toBeGreaterThanOrEqual(ours[i - 1]!.bytesDone);
      expect(ours[i]!.bytesSent).toBeGreaterThanOrEqual(ours[i - 1]!.bytesSent);
    }
    // Progress passes each database's end on its way (the second starts where the first ended).
    expect(ours.map((p) => p.bytesDone)).toContain(streamBytes(r.entries.slice(0, 1)));
    expect(ours.at(-1)).toMatchObject({ bytesDone: total, bytesSent: r.bytesSent });
    expect(runningGuestossvc()).toEqual([]);
  });

  test('a differential names its base; default log databases skip SIMPLE recovery; log entries are native', async () => {
    await proxy.backupSql({ vm: 'sql01', instance: 'SQLEXPRESS', type: 'full', databases: ['TinyFull', 'TinyBulk'] });
    const full = (await proxy.cloud.queryCatalog({ instance: 'SQLEXPRESS', database: 'TinyFull', type: 'full' })).at(-1)!;
    lab.world.sql.server('sql01')!.runTransactions('SQLEXPRESS', 'TinyFull', 5);
    let t0 = new Date().toISOString();
    const diff = await proxy.backupSql({ vm: 'sql01', instance: 'SQLEXPRESS', type: 'diff', databases: ['TinyFull'] });
    let t1 = new Date().toISOString();
    expect(diff.entries).toHaveLength(1);
    expect(diff.entries[0]).toMatchObject({ type: 'diff', method: 'vss', differentialBaseLsn: full.checkpointLsn, databaseBackupLsn: full.checkpointLsn });
    await expectCatalogued(diff.entries[0]!, express, 18270, t0, t1);

    logs.length = 0;
    t0 = new Date().toISOString();
    const log = await proxy.backupSql({ vm: 'sql01', instance: 'SQLEXPRESS', type: 'log' });
    t1 = new Date().toISOString();
    expect(logs).toContain('info sql01: log backup of SQLEXPRESS: TinyFull, TinyBulk');
    expect(log.entries.map((e) => e.database)).toEqual(['TinyFull', 'TinyBulk']);
    for (const e of log.entries) {
      expect(e).toMatchObject({ type: 'log', method: 'native', differentialBaseLsn: undefined });
      // Completing a log backup moves the guest's log chain to its last LSN.
      expect(tinyDb(e.database).chain.logChainLsn!.toString()).toBe(e.lastLsn);
      await expectCatalogued(e, express, 18265, t0, t1);
    }
  });

  test('an instance the guest does not have: sql, named; nothing is backed up and guestossvc is stopped', async () => {
    const since = seqNow();
    const err = await failure(proxy.backupSql({ vm: 'sql01', instance: 'NOPE', type: 'full' }));
    expect(err).toMatchObject({ errorClass: 'sql', message: 'sql01: no SQL Server instance NOPE found' });
    expect(requests(since, 'guest-sql01', /^POST \/api\/v1\/backups/)).toHaveLength(0);
    expect(requests(since, 'vcenter', /^TerminateProcessInGuest/)).toHaveLength(1);
    expect(runningGuestossvc()).toEqual([]);
  });

  test('a guest without SQL Server (web01): sql, "no SQL Server instance found"', async () => {
    await expect(proxy.backupSql({ vm: 'web01', type: 'full' })).rejects.toMatchObject({ errorClass: 'sql', message: 'web01: no SQL Server instance  found' });
  });
});

describe('guest failures: class, message and details', () => {
  test('a VSS writer failure: vss, the writer state in the message, no catalog entry, no complete, guestossvc stopped', async () => {
    lab.faults.set({ target: 'guest-sql01', type: 'vss-writer-failed', params: { phase: 'prepare-snapshot', error: 'nonretryable' }, remaining: 1 });
    const since = seqNow();
    const err = await failure(proxy.backupSql({ vm: 'sql01', instance: 'SQLEXPRESS', type: 'full', databases: ['TinyFull'] }));
    expect(err.errorClass).toBe('vss');
    expect(err.message).toMatch(/^sql01: SqlServerWriter failed: .*VSS_E_WRITERERROR_NONRETRYABLE.* \(SqlServerWriter Failed VSS_E_WRITERERROR_NONRETRYABLE\)$/);
    expect(err.details).toEqual({ code: 'vss-error', sqlErrors: [], vss: expect.objectContaining({ writer: 'SqlServerWriter', state: 8, stateText: 'Failed', error: 'VSS_E_WRITERERROR_NONRETRYABLE' }) });
    expect(requests(since, 'cloud', /^POST \/api\/v1\/catalog\/sql$/)).toHaveLength(0);
    expect(requests(since, 'guest-sql01', /\/complete$/)).toHaveLength(0);
    expect(requests(since, 'vcenter', /^TerminateProcessInGuest/)).toHaveLength(1);
    expect(runningGuestossvc()).toEqual([]);
  });

  test('a SQL Server refusal (log backup under SIMPLE): sql, the error numbers in the message and details', async () => {
    const err = await failure(proxy.backupSql({ vm: 'sql01', instance: 'SQLEXPRESS', type: 'log', databases: ['TinySimple'] }));
    expect(err.errorClass).toBe('sql');
    expect(err.message).toMatch(/^sql01: Msg 4208: The statement BACKUP LOG is not allowed while the recovery model is SIMPLE\..* \(SQL errors 4208, 3013\)$/);
    expect(err.details).toEqual({ code: 'sql-error', sqlErrors: [4208, 3013], vss: undefined });
    expect(runningGuestossvc()).toEqual([]);
  });

  test('a plugin that does not start: guest, the message as guestossvc said it, nothing added', async () => {
    lab.faults.set({ target: 'guest-sql01', type: 'sql-plugin-not-starting', params: { exitCode: 77, reason: 'no VSS' } });
    const err = await failure(proxy.backupSql({ vm: 'sql01', instance: 'SQLEXPRESS', type: 'full', databases: ['TinyFull'] }));
    lab.faults.clear();
    expect(err).toMatchObject({ errorClass: 'guest', message: 'sql01: PhoenixSQLGuestPlugin is not running: no VSS (exit code 77)' });
    expect(err.details).toEqual({ code: 'plugin-unavailable', sqlErrors: [], vss: undefined });
    expect(runningGuestossvc()).toEqual([]);
  });

  test('a database the instance does not have: guest class (no SQL numbers, no VSS), guestossvc\'s own words', async () => {
    const err = await failure(proxy.backupSql({ vm: 'sql01', instance: 'SQLEXPRESS', type: 'full', databases: ['NoSuchDB'] }));
    expect(err).toMatchObject({ errorClass: 'guest', message: 'sql01: no database NoSuchDB in SQLEXPRESS', details: { code: 'database-not-found', sqlErrors: [] } });
  });

  test('an explicit empty database list is passed on, not replaced by the default: guestossvc refuses the request (400), a guest error', async () => {
    const since = seqNow();
    const err = await failure(proxy.backupSql({ vm: 'sql01', instance: 'SQLEXPRESS', type: 'full', databases: [] }));
    expect(err).toMatchObject({ errorClass: 'guest', message: 'sql01: instance and a non-empty databases list are required', details: { code: 'bad-request', sqlErrors: [] } });
    expect(logs).toContain('info sql01: full backup of SQLEXPRESS: ');
    expect(requests(since, 'guest-sql01', /^POST \/api\/v1\/backups$/)).toHaveLength(1);
    expect(requests(since, 'guest-sql01', /^GET \/api\/v1\/operations\//)).toHaveLength(0);
    expect(runningGuestossvc()).toEqual([]);
  });

  test('an operation reported failed without a reason: guest, "backup failed"; nothing streamed', async () => {
    const wait = GuestossvcClient.prototype.waitFor;
    // guestossvc always names the reason; a guest that does not must still fail the job, not stream.
    const spy = vi.spyOn(GuestossvcClient.prototype, 'waitFor').mockImplementationOnce(async function (this: GuestossvcClient, id: string, ms?: number) {
      return { ...(await wait.call(this, id, ms)), state: 'failed', error: undefined };
    });
    const since = seqNow();
    try {
      const err = await failure(proxy.backupSql({ vm: 'sql01', instance: 'SQLEXPRESS', type: 'full', databases: ['TinyFull'] }));
      expect(err).toMatchObject({ errorClass: 'guest', message: 'sql01: backup failed', details: { code: 'failed', sqlErrors: [] } });
    } finally {
      spy.mockRestore();
    }
    expect(requests(since, 'guest-sql01', /\/streams\//)).toHaveLength(0);
    expect(runningGuestossvc()).toEqual([]);
  });

  test('a stream that ends early: integrity, nothing catalogued, SQL Server not told the backup is complete', async () => {
    const open = GuestossvcClient.prototype.openStream;
    // The guest's stream ends cleanly after 1000 bytes (a truncated relay), announced as the whole set.
    const spy = vi.spyOn(GuestossvcClient.prototype, 'openStream').mockImplementationOnce(async function (this: GuestossvcClient, id: string, database: string) {
      const real = await open.call(this, id, database);
      const first = (async function* () {
        let n = 0;
        for await (const c of real) {
          const chunk = (c as Buffer).subarray(0, 1000 - n);
          n += chunk.length;
          yield chunk;
          if (n >= 1000) break;
        }
        real.destroy();
      })();
      return Readable.from(first) as unknown as Awaited<ReturnType<typeof open>>;
    });
    const historyBefore = historyOf(express, 18264, 'TinyBulk').length;
    const since = seqNow();
    try {
      const err = await failure(proxy.backupSql({ vm: 'sql01', instance: 'SQLEXPRESS', type: 'full', databases: ['TinyBulk'] }));
      expect(err.errorClass).toBe('integrity');
      expect(err.message).toMatch(/^TinyBulk: backup stream ended after 1000 of (\d+) bytes$/);
      expect(Number(/of (\d+) bytes/.exec(err.message)![1])).toBeGreaterThan(1000);
    } finally {
      spy.mockRestore();
    }
    expect(requests(since, 'cloud', /^POST \/api\/v1\/catalog\/sql$/)).toHaveLength(0);
    expect(requests(since, 'guest-sql01', /\/complete$/)).toHaveLength(0);
    expect(historyOf(express, 18264, 'TinyBulk')).toHaveLength(historyBefore);
    expect(runningGuestossvc()).toEqual([]);
  });
});

describe('guestError: which class a guestossvc refusal becomes', () => {
  const vss = { writer: 'SqlServerWriter', state: 9, stateText: 'Failed', hresult: '0x800423F2', error: 'VSS_E_WRITERERROR_TIMEOUT' };

  test('anything but a guestossvc error passes through untouched', () => {
    const err = new Error('socket hang up');
    expect(guestError(err, 'vm1')).toBe(err);
  });

  test('VSS and SQL numbers together: vss wins the class, the SQL numbers name the message', () => {
    const src = new GuestossvcError(500, { code: 'vss-error', message: 'freeze timed out', vss, sqlErrors: [{ number: 3041, severity: 16, state: 1, message: 'BACKUP failed' }] } as never);
    expect(guestError(src, 'vm1')).toMatchObject({ errorClass: 'vss', message: 'vm1: freeze timed out (SQL errors 3041)', details: { code: 'vss-error', sqlErrors: [3041], vss }, cause: src });
  });

  test('VSS alone: the writer, its state text and error in the message', () => {
    const src = new GuestossvcError(500, { code: 'vss-error', message: 'writer timed out', vss } as never);
    expect(guestError(src, 'vm1')).toMatchObject({ errorClass: 'vss', message: 'vm1: writer timed out (SqlServerWriter Failed VSS_E_WRITERERROR_TIMEOUT)' });
  });

  test('neither: guest, the message alone', () => {
    const src = new GuestossvcError(409, { code: 'vss-busy', message: 'another VSS session is running' });
    expect(guestError(src, 'vm1')).toMatchObject({ errorClass: 'guest', message: 'vm1: another VSS session is running', details: { code: 'vss-busy', sqlErrors: [] } });
  });
});
