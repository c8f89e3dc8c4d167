import { createHash } from 'node:crypto';
import { describe, test, expect } from 'vitest';
import type { Lab } from '../../simulators/lab.ts';
import type { BackupProxy } from '../../proxy/backup-proxy.ts';
import type { SqlBackupEntry } from '../../simulators/core/codecs/cloud-api.ts';
import { flowLab, failure } from '../helpers/flow-lab.ts';

/**
 * The decisions of the SQL restore flow, one shared lab and one backup chain of SalesDB on sql01
 * (full, differential, log): which time, which target and whether it may replace, NORECOVERY /
 * RECOVERY / STOPAT per step, the checksum check and its reference, the errors and the guest
 * session's end. Judged by what reached the guest (the trace of 3542), the guest's SQL Server (the
 * lab's SQL model and its error log), the cloud's catalog and the proxy's log and progress.
 */
let lab: Lab;
let proxy: BackupProxy;
/** The chain under test, as the cloud catalogued it. */
let F: SqlBackupEntry;
let D: SqlBackupEntry;
let L: SqlBackupEntry;
/** A moment inside the log backup (between the differential and the log), for STOPAT. */
let middle: Date;
/** A moment between the full and the differential: the chain skips the differential. */
let afterFull: Date;

const sql = () => lab.world.sql.server('sql01')!;
const db = (name: string) => sql().database('MSSQLSERVER', name);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** A moment with no transaction near it, so the catalog's and the model's times order it clearly. */
async function quietMoment(): Promise<Date> {
  await sleep(30);
  const t = new Date();
  await sleep(30);
  return t;
}

const { logs, progress, seqNow } = flowLab({}, async (f) => {
  ({ lab, proxy } = f);
  await proxy.backupSql({ vm: 'sql01', type: 'full', databases: ['SalesDB'] });
  sql().runTransactions('MSSQLSERVER', 'SalesDB', 10);
  afterFull = await quietMoment();
  sql().runTransactions('MSSQLSERVER', 'SalesDB', 20);
  await proxy.backupSql({ vm: 'sql01', type: 'diff', databases: ['SalesDB'] });
  sql().runTransactions('MSSQLSERVER', 'SalesDB', 20);
  middle = await quietMoment();
  sql().runTransactions('MSSQLSERVER', 'SalesDB', 20);
  await proxy.backupSql({ vm: 'sql01', type: 'log', databases: ['SalesDB'] });
  [F, D, L] = (await proxy.cloud.queryCatalog({ database: 'SalesDB' })) as [SqlBackupEntry, SqlBackupEntry, SqlBackupEntry];
});

/** What the proxy asked guestossvc on 3542, in order ("PUT /api/v1/operations/<id>/streams?..." shortened to "streams?..."). */
const guestRequests = (since: number) =>
  lab.recorder.find({ kind: 'request', from: 'proxy', to: 'guest-sql01', port: 3542, since }).map((e) => String(e.summary).replace(/^PUT \/api\/v1\/operations\/[^/]+\/streams/, 'streams'));
const streamPuts = (since: number) => guestRequests(since).filter((s) => s.startsWith('streams?'));
const terminations = (since: number) => lab.recorder.find({ kind: 'request', from: 'proxy', to: 'vcenter', summary: /^TerminateProcessInGuest/, since }).length;
const streamBytes = (...es: SqlBackupEntry[]) => es.reduce((n, e) => n + Number(e.streamBytes), 0);
const range = (e: SqlBackupEntry) => `${e.type} ${e.firstLsn}..${e.lastLsn}`;

/** Changes catalog entries in the cloud's database for the length of `fn` (a catalog written by another version, or damaged). */
async function withCatalogEntry<T>(entries: SqlBackupEntry | SqlBackupEntry[], edit: (e: SqlBackupEntry) => void, fn: () => Promise<T>): Promise<T> {
  const put = (e: SqlBackupEntry) => lab.world.cloud!.db.prepare('UPDATE sql_backups SET body = ? WHERE id = ?').run(JSON.stringify(e), e.id);
  const originals = [entries].flat();
  for (const e of originals) {
    const changed = structuredClone(e);
    edit(changed);
    put(changed);
  }
  try {
    return await fn();
  } finally {
    originals.forEach(put);
  }
}

describe('SQL restore: the chain and each RESTORE statement', () => {
  test('latest, to another name: full and diff WITH NORECOVERY, the log WITH RECOVERY, no STOPAT; checked against the backup', async () => {
    const source = db('SalesDB')!;
    const sourceSum = source.checksum();
    const since = seqNow();
    const t0 = new Date().toISOString();
    const r = await proxy.restoreSql({ vm: 'sql01', database: 'SalesDB', targetDatabase: 'SalesCopy' });
    const t1 = new Date().toISOString();
    expect(r).toMatchObject({ vm: 'sql01', database: 'SalesDB', targetDatabase: 'SalesCopy', stopAt: null, restoredLsn: L.lastLsn, verifiedAgainst: 'backup' });
    expect(r.chain).toEqual([F, D, L].map((e) => ({ type: e.type, firstLsn: e.firstLsn, lastLsn: e.lastLsn })));
    // What reached the guest: one restore, three streams, the last one recovering; the checksum of the copy only.
    expect(guestRequests(since)).toEqual([
      'GET /api/v1/status',
      'POST /api/v1/restores',
      'streams?recovery=false',
      'streams?recovery=false',
      'streams?recovery=true',
      'GET /api/v1/sql/instances/MSSQLSERVER/databases/SalesCopy/checksum',
    ]);
    expect(terminations(since)).toBe(1);
    // The guest's SQL Server: a new ONLINE database equal to what the log backup recorded; the source untouched.
    expect(db('SalesCopy')!.state).toBe('ONLINE');
    expect(r.checksum).toBe(L.databaseChecksum);
    expect(db('SalesCopy')!.checksum()).toBe(L.databaseChecksum);
    expect(db('SalesDB')).toBe(source);
    expect(source.checksum()).toBe(sourceSum);
    // Bytes: every stream, as catalogued; progress ends there.
    expect(r.bytes).toBe(streamBytes(F, D, L));
    expect(progress.every((p) => p.phase === 'sql-restore')).toBe(true);
    expect(progress.at(-1)).toMatchObject({ bytesDone: r.bytes, bytesTotal: r.bytes });
    for (let i = 1; i < progress.length; i++) expect(progress[i]!.bytesDone).toBeGreaterThan(progress[i - 1]!.bytesDone);
    // The default time is now: the chain is logged with it.
    const chainLine = logs.find((l) => l.startsWith('info restore chain for SalesDB at '))!;
    const m = /^info restore chain for SalesDB at (\S+): (.*)$/.exec(chainLine)!;
    expect(m[1]! >= t0 && m[1]! <= t1, `${t0} <= ${m[1]} <= ${t1}`).toBe(true);
    expect(m[2]).toBe(`${range(F)} -> ${range(D)} -> ${range(L)}`);
    expect(logs).toEqual(expect.arrayContaining([
      `info sql01: RESTORE DATABASE SalesCopy WITH NORECOVERY -> LSN ${F.lastLsn}`,
      `info sql01: RESTORE DATABASE SalesCopy WITH NORECOVERY -> LSN ${D.lastLsn}`,
      `info sql01: RESTORE LOG SalesCopy WITH RECOVERY -> LSN ${L.lastLsn}`,
      `info sql01: SalesCopy restored to LSN ${L.lastLsn}, checksum verified against the backup`,
    ]));
  });

  test('a point in time: STOPAT on the last statement only; checked against the source at the restored LSN', async () => {
    const source = db('SalesDB')!;
    const at = middle.toISOString();
    const since = seqNow();
    const r = await proxy.restoreSql({ vm: 'sql01', database: 'SalesDB', targetDatabase: 'SalesPit', time: at });
    // The source as it was at that moment: the last commit at or before it.
    const commit = source.lsnAt(middle)!;
    expect(r).toMatchObject({ targetDatabase: 'SalesPit', stopAt: at, verifiedAgainst: 'source', checksum: source.checksum(commit) });
    expect(db('SalesPit')!.checksum()).toBe(source.checksum(commit));
    // The LSN the guest reports for the stop point is the next LSN after that commit (the form of a
    // backup's last_lsn), inside the log backup, past the differential.
    const lsn = r.restoredLsn;
    expect(BigInt(lsn)).toBe(commit + 1n);
    expect(BigInt(lsn)).toBeGreaterThan(BigInt(D.lastLsn));
    expect(BigInt(lsn)).toBeLessThan(BigInt(L.lastLsn));
    expect(streamPuts(since)).toEqual(['streams?recovery=false', 'streams?recovery=false', `streams?recovery=true&stopAt=${encodeURIComponent(at)}`]);
    // The reference: the source's checksum at that LSN, asked of the guest.
    expect(guestRequests(since)).toContain(`GET /api/v1/sql/instances/MSSQLSERVER/databases/SalesDB/checksum?lsn=${lsn}`);
    expect(logs).toEqual(expect.arrayContaining([
      `info restore chain for SalesDB at ${at}: ${range(F)} -> ${range(D)} -> ${range(L)}`,
      `info sql01: RESTORE LOG SalesPit WITH RECOVERY STOPAT ${at} -> LSN ${lsn}`,
      `info sql01: SalesPit restored to LSN ${lsn}, checksum verified against the source`,
    ]));
    expect(logs.filter((l) => /STOPAT/.test(l))).toHaveLength(1);
  });

  test('a time before the differential: the full WITH NORECOVERY, then the log WITH RECOVERY STOPAT; no differential', async () => {
    const source = db('SalesDB')!;
    const at = afterFull.toISOString();
    const since = seqNow();
    const r = await proxy.restoreSql({ vm: 'sql01', database: 'SalesDB', targetDatabase: 'SalesEarly', time: at });
    expect(r.chain.map((c) => c.type)).toEqual(['full', 'log']);
    expect(r).toMatchObject({ stopAt: at, verifiedAgainst: 'source', checksum: source.checksum(source.lsnAt(afterFull)!) });
    expect(r.bytes).toBe(streamBytes(F, L));
    expect(streamPuts(since)).toEqual(['streams?recovery=false', `streams?recovery=true&stopAt=${encodeURIComponent(at)}`]);
    expect(logs).toContain(`info restore chain for SalesDB at ${at}: ${range(F)} -> ${range(L)}`);
  });

  test('a time after the last backup: no STOPAT, the chain ends at the log', async () => {
    const since = seqNow();
    const r = await proxy.restoreSql({ vm: 'sql01', database: 'SalesDB', targetDatabase: 'SalesLater', time: new Date(Date.now() + 3_600_000).toISOString() });
    expect(r).toMatchObject({ stopAt: null, restoredLsn: L.lastLsn, verifiedAgainst: 'backup' });
    expect(streamPuts(since)).toEqual(['streams?recovery=false', 'streams?recovery=false', 'streams?recovery=true']);
  });

  test('a backup without a recorded checksum: checked against the source at the restored LSN', async () => {
    const source = db('SalesDB')!;
    const since = seqNow();
    const r = await withCatalogEntry(L, (e) => delete e.databaseChecksum, () => proxy.restoreSql({ vm: 'sql01', database: 'SalesDB', targetDatabase: 'SalesNoSum' }));
    expect(r).toMatchObject({ stopAt: null, verifiedAgainst: 'source', restoredLsn: L.lastLsn, checksum: source.checksum(BigInt(L.lastLsn)) });
    expect(guestRequests(since)).toContain(`GET /api/v1/sql/instances/MSSQLSERVER/databases/SalesDB/checksum?lsn=${L.lastLsn}`);
    expect(logs).toContain(`info sql01: SalesNoSum restored to LSN ${L.lastLsn}, checksum verified against the source`);
  });
});

describe('SQL restore: what stops it', () => {
  test('the restored database differs from the checksum recorded at backup: integrity, naming both; the session ends', async () => {
    const recorded = 'ab'.repeat(32);
    const since = seqNow();
    const err = await withCatalogEntry(L, (e) => (e.databaseChecksum = recorded), () => failure(proxy.restoreSql({ vm: 'sql01', database: 'SalesDB', targetDatabase: 'SalesBad' })));
    expect(err).toMatchObject({ errorClass: 'integrity', message: `SalesBad: restored checksum ${db('SalesBad')!.checksum()} differs from the one recorded at backup (${recorded})` });
    expect(terminations(since)).toBe(1);
    expect(logs.some((l) => /SalesBad restored to LSN/.test(l))).toBe(false);
  });

  test('the restored database differs from the source at the restored LSN: integrity, naming the LSN', async () => {
    const source = db('SalesDB')!;
    const real = source.checksum.bind(source);
    const wrong = 'cd'.repeat(32);
    // The source's history reads differently than the backups recorded it (a damaged source page).
    source.checksum = (lsn?: bigint) => (lsn === undefined ? real() : wrong);
    try {
      const err = await failure(proxy.restoreSql({ vm: 'sql01', database: 'SalesDB', targetDatabase: 'SalesPitBad', time: middle.toISOString() }));
      const m = /^SalesPitBad: restored checksum (\w+) differs from the source at LSN (\d+) \((\w+)\)$/.exec(err.message);
      expect(err.errorClass).toBe('integrity');
      expect(m, err.message).not.toBeNull();
      expect(m![1]).toBe(real(source.lsnAt(middle)!));
      expect(BigInt(m![2]!)).toBeGreaterThan(BigInt(D.lastLsn));
      expect(BigInt(m![2]!)).toBeLessThan(BigInt(L.lastLsn));
      expect(m![3]).toBe(wrong);
    } finally {
      source.checksum = real;
    }
  });

  test('the alternate name is another existing database: no REPLACE, SQL Server refuses with 3154; the session ends', async () => {
    const hr = db('HRDB')!;
    const before = hr.checksum();
    const since = seqNow();
    const err = await failure(proxy.restoreSql({ vm: 'sql01', database: 'SalesDB', targetDatabase: 'HRDB' }));
    expect(err.errorClass).toBe('sql');
    expect(err.details.sqlErrors).toEqual([3154, 3013]);
    expect(err.message).toBe("sql01: Msg 3154: The backup set holds a backup of a database other than the existing 'HRDB' database. Msg 3013: RESTORE DATABASE is terminating abnormally. (SQL errors 3154, 3013)");
    expect(db('HRDB')).toBe(hr);
    expect(hr.checksum()).toBe(before);
    expect(streamPuts(since)).toEqual(['streams?recovery=false']);
    expect(terminations(since)).toBe(1);
    expect(logs).toContain(`info sql01: guestossvc stopped (pid ${lastPid()})`);
  });

  test('a stream the guest cannot read in the middle of the chain: the SQL error after the full, nothing more sent', async () => {
    // A block that is stored and hashes right, but is no backup stream: what a wrong catalog entry would point to.
    const junk = Buffer.alloc(4096, 0x5a);
    const hash = createHash('sha256').update(junk).digest('hex');
    await lab.world.cloud!.blocks.put(hash, junk);
    const since = seqNow();
    const err = await withCatalogEntry(D, (e) => ((e.blocks = [hash]), (e.streamBytes = junk.length)), () => failure(proxy.restoreSql({ vm: 'sql01', database: 'SalesDB', targetDatabase: 'SalesJunk' })));
    expect(err.errorClass).toBe('sql');
    expect(err.details.sqlErrors).toEqual([3241, 3013]);
    expect(err.message).toMatch(/^sql01: .*The media family on device .* is incorrectly formed.* \(SQL errors 3241, 3013\)$/s);
    expect(streamPuts(since)).toEqual(['streams?recovery=false', 'streams?recovery=false']);
    expect(logs.filter((l) => /RESTORE .* SalesJunk/.test(l))).toEqual([`info sql01: RESTORE DATABASE SalesJunk WITH NORECOVERY -> LSN ${F.lastLsn}`]);
    expect(terminations(since)).toBe(1);
  });

  test('the guest refuses to start the restore (an instance it does not have): a guest error naming the VM; the session ends', async () => {
    const since = seqNow();
    // Catalogued under MSSQLSERVER (the instance the query filters on), the entries name an instance sql01 does not run.
    const err = await withCatalogEntry([F, D, L], (e) => (e.instance = 'NOSUCH'), () => failure(proxy.restoreSql({ vm: 'sql01', instance: 'MSSQLSERVER', database: 'SalesDB', targetDatabase: 'SalesNowhere' })));
    expect(err).toMatchObject({ errorClass: 'guest', message: 'sql01: no SQL Server instance NOSUCH on this guest', details: { code: 'instance-not-found', sqlErrors: [] } });
    expect(streamPuts(since)).toEqual([]);
    expect(terminations(since)).toBe(1);
  });
});

describe('SQL restore: which instance', () => {
  test('a database catalogued on two instances, restored without naming one: invalid-state, before any guest work', async () => {
    const since = seqNow();
    const err = await withCatalogEntry(F, (e) => (e.instance = 'SQLEXPRESS'), () => failure(proxy.restoreSql({ vm: 'sql01', database: 'SalesDB', targetDatabase: 'SalesTwin' })));
    expect(err.errorClass).toBe('invalid-state');
    expect(err.message).toBe('restore chain of SalesDB: 400 database SalesDB exists on several instances (SQLEXPRESS, MSSQLSERVER); pass "instance"');
    expect(lab.recorder.find({ kind: 'request', from: 'proxy', to: 'vcenter', summary: /^StartProgramInGuest/, since })).toHaveLength(0);
  });
});

describe('SQL restore over the original', () => {
  test('no target: over SalesDB WITH REPLACE, its unbacked tail dropped, back to the log backup', async () => {
    // Transactions after the log backup: without REPLACE, SQL Server would refuse (3159, tail not backed up).
    sql().runTransactions('MSSQLSERVER', 'SalesDB', 10);
    expect(db('SalesDB')!.checksum()).not.toBe(L.databaseChecksum);
    const since = seqNow();
    const r = await proxy.restoreSql({ vm: 'sql01', database: 'SalesDB' });
    expect(r).toMatchObject({ database: 'SalesDB', targetDatabase: 'SalesDB', restoredLsn: L.lastLsn, verifiedAgainst: 'backup', checksum: L.databaseChecksum });
    expect(db('SalesDB')!.state).toBe('ONLINE');
    expect(db('SalesDB')!.checksum()).toBe(L.databaseChecksum);
    expect(streamPuts(since)).toEqual(['streams?recovery=false', 'streams?recovery=false', 'streams?recovery=true']);
    expect(logs).toContain(`info sql01: RESTORE LOG SalesDB WITH RECOVERY -> LSN ${L.lastLsn}`);
  });
});

/** The pid of the last guestossvc the proxy started, from its own log line (the lab's process table would do as well). */
function lastPid(): string {
  const line = logs.filter((l) => /guestossvc running \(pid \d+\)/.test(l)).at(-1)!;
  return /pid (\d+)/.exec(line)![1]!;
}
