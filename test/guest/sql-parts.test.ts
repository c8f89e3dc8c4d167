import { afterEach, describe, expect, test, vi } from 'vitest';
import { createCipheriv, createHash } from 'node:crypto';
import { SqlError, info, sqlErrors, terminating } from '../../simulators/guest/sql/errors.ts';
import { ErrorLog } from '../../simulators/guest/sql/errorlog.ts';
import { PageStore } from '../../simulators/guest/sql/pages.ts';
import { Database, LsnClock } from '../../simulators/guest/sql/database.ts';
import { SqlServerModel, databaseInfo } from '../../simulators/guest/sql/server.ts';
import { captureBackup } from '../../simulators/guest/sql/backup.ts';
import { LogOp, decodeStream } from '../../simulators/core/codecs/sql-backup-stream.ts';

/*
 * The SQL Server model's parts called directly: SQL Server's message texts as its message catalog
 * (sys.messages) has them, LSNs in the decimal form (VLF * 10^15 + block * 10^5 + slot) written out
 * by hand, page images rebuilt here from their documented derivation with node:crypto.
 */
afterEach(() => {
  vi.useRealTimers();
});

describe('SQL Server messages', () => {
  const first = (e: SqlError) => e.messages[0]!;

  test('each error is its own message, level 16, then 3013 for the statement', () => {
    const cases: [SqlError, number, string, string][] = [
      [sqlErrors.tooRecent('100', '90'), 4305, 'RESTORE LOG', 'The log in this backup set begins at LSN 100, which is too recent to apply to the database. An earlier log backup that includes LSN 90 can be restored.'],
      [sqlErrors.tooEarly('80', '90'), 4326, 'RESTORE LOG', 'The log in this backup set terminates at LSN 80, which is too early to apply to the database. A more recent log backup that includes LSN 90 can be restored.'],
      [sqlErrors.noCurrentBackup(), 4214, 'BACKUP LOG', 'BACKUP LOG cannot be performed because there is no current database backup.'],
      [sqlErrors.logInSimple(), 4208, 'BACKUP LOG', 'The statement BACKUP LOG is not allowed while the recovery model is SIMPLE. Use BACKUP DATABASE or change the recovery model using ALTER DATABASE.'],
      [sqlErrors.noDiffBase('Sales'), 3035, 'BACKUP DATABASE', 'Cannot perform a differential backup for database "Sales", because a current database backup does not exist. Perform a full database backup by reissuing BACKUP DATABASE, omitting the WITH DIFFERENTIAL option.'],
      [sqlErrors.notReadyToRollForward('RESTORE LOG'), 3117, 'RESTORE LOG', 'The log or differential backup cannot be restored because no files are ready to rollforward.'],
      [sqlErrors.wrongDiffBase(), 3136, 'RESTORE DATABASE', 'This differential backup cannot be restored because the database has not been restored to the correct earlier state.'],
      [sqlErrors.tailNotBackedUp('Sales'), 3159, 'RESTORE DATABASE', 'The tail of the log for the database "Sales" has not been backed up. Use BACKUP LOG WITH NORECOVERY to backup the log if it contains work you do not want to lose. Use the WITH REPLACE or WITH STOPAT clause of the RESTORE statement to just overwrite the contents of the log.'],
      [sqlErrors.otherDatabase('Sales'), 3154, 'RESTORE DATABASE', "The backup set holds a backup of a database other than the existing 'Sales' database."],
      [sqlErrors.cannotOpenDevice('RESTORE DATABASE', 'dev1', '2(The system cannot find the file specified.)'), 3201, 'RESTORE DATABASE', "Cannot open backup device 'dev1'. Operating system error 2(The system cannot find the file specified.)."],
      [sqlErrors.malformedMedia('RESTORE LOG', 'dev2'), 3241, 'RESTORE LOG', "The media family on device 'dev2' is incorrectly formed. SQL Server cannot process this media family."],
      [sqlErrors.damagedBackup('RESTORE DATABASE'), 3189, 'RESTORE DATABASE', 'Damage to the backup set was detected.'],
      [sqlErrors.stopAtTooEarly('RESTORE LOG'), 4338, 'RESTORE LOG', 'The STOPAT clause specifies a point too early to allow this backup set to be restored. Choose a different stop point or use RESTORE DATABASE WITH RECOVERY to recover at the current point.'],
      [sqlErrors.rolledPastStopAt(), 4335, 'RESTORE LOG', 'The specified STOPAT time is too early. All or part of the database is already rolled forward beyond that point.'],
      [sqlErrors.writerFailed('BACKUP DATABASE', 'Sales', 'VSS writer failed'), 3041, 'BACKUP DATABASE', 'BACKUP failed to complete the command BACKUP DATABASE Sales. Check the backup application log for detailed messages. (VSS writer failed)'],
    ];
    for (const [err, number, stmt, text] of cases) {
      expect(err).toBeInstanceOf(SqlError);
      expect([err.number, first(err).number, first(err).severity, first(err).message]).toEqual([number, number, 16, text]);
      expect(err.messages[1]).toEqual({ number: 3013, severity: 16, state: 1, message: `${stmt} is terminating abnormally.` });
      expect(err.messages).toHaveLength(2);
      expect(err.message).toBe(`Msg ${number}: ${text} Msg 3013: ${stmt} is terminating abnormally.`);
    }
    expect(first(sqlErrors.noCurrentBackup()).state).toBe(1);
    expect(terminating('BACKUP LOG')).toEqual({ number: 3013, severity: 16, state: 1, message: 'BACKUP LOG is terminating abnormally.' });
  });

  test('informational messages are level 10; the rate is MB (pages * 8 KiB) per second, at least a millisecond', () => {
    expect(info.processedPages(264, 'Sales', 'Sales_log')).toEqual({ number: 4035, severity: 10, state: 1, message: "Processed 264 pages for database 'Sales', file 'Sales_log' on file 1." });
    expect(info.success('BACKUP DATABASE', 1024, 2)).toEqual({ number: 3014, severity: 10, state: 1, message: 'BACKUP DATABASE successfully processed 1024 pages in 2.000 seconds (4.000 MB/sec).' });
    expect(info.success('RESTORE LOG', 128, 0).message).toBe('RESTORE LOG successfully processed 128 pages in 0.000 seconds (1000.000 MB/sec).');
    expect(info.success('RESTORE LOG', 128, 0.0005).message).toBe('RESTORE LOG successfully processed 128 pages in 0.001 seconds (1000.000 MB/sec).');
    expect(info.success('BACKUP LOG', 100, 0.25).message).toBe('BACKUP LOG successfully processed 100 pages in 0.250 seconds (3.125 MB/sec).');
  });
});

describe('error log', () => {
  test('entries keep time, process, number; lines are ERRORLOG\'s layout', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-11-25T08:01:02.345Z'));
    const log = new ErrorLog();
    log.add('spid61', 'I/O is frozen on database Sales.', 3197);
    log.add('Backup', 'Database backed up.');
    expect(log.entries).toEqual([
      { time: '2026-11-25T08:01:02.345Z', process: 'spid61', number: 3197, message: 'I/O is frozen on database Sales.' },
      { time: '2026-11-25T08:01:02.345Z', process: 'Backup', number: undefined, message: 'Database backed up.' },
    ]);
    expect(log.lines()).toEqual(['2026-11-25 08:01:02.34 spid61      I/O is frozen on database Sales.', '2026-11-25 08:01:02.34 Backup      Database backed up.']);
  });

  test('the oldest entries go past the limit', () => {
    const log = new ErrorLog(2);
    for (const m of ['a', 'b', 'c', 'd']) log.add('Server', m);
    expect(log.entries.map((e) => e.message)).toEqual(['c', 'd']);
    const exact = new ErrorLog(2);
    for (const m of ['a', 'b']) exact.add('Server', m);
    expect(exact.entries.map((e) => e.message)).toEqual(['a', 'b']);
  });
});

/** A generated page: AES-128-CTR keystream (key: first 16 bytes of SHA-256 of "<seed>:page:<id>", zero IV). */
function keystream(seed: string, id: number): Buffer {
  const key = createHash('sha256').update(`${seed}:page:${id}`).digest().subarray(0, 16);
  return createCipheriv('aes-128-ctr', key, Buffer.alloc(16)).update(Buffer.alloc(8192));
}
/** The header as a page carries it: page id at 0, LSN at 8 (both little-endian), zeros from 16 to 96. */
function stamped(img: Buffer, id: number, lsn: bigint): Buffer {
  const out = Buffer.from(img);
  out.writeUInt32LE(id, 0);
  out.writeBigUInt64LE(lsn, 8);
  out.fill(0, 16, 96);
  return out;
}

describe('page store', () => {
  test('a page is its seed\'s keystream, header stamped with its last change; changes apply up to the LSN asked for', () => {
    const s = new PageStore('seed', 4, 1000n);
    expect(s.image(2)).toEqual(stamped(keystream('seed', 2), 2, 1000n));
    s.modify(2, { lsn: 1010n, offset: 200, data: Buffer.from('abc') });
    s.modify(2, { lsn: 1020n, offset: 201, data: Buffer.from('XY') });
    const v1 = stamped(keystream('seed', 2), 2, 1010n);
    v1.write('abc', 200);
    const v2 = stamped(keystream('seed', 2), 2, 1020n);
    v2.write('aXY', 200);
    expect(s.image(2, 1009n)).toEqual(stamped(keystream('seed', 2), 2, 1000n));
    expect(s.image(2, 1010n)).toEqual(v1);
    expect(s.image(2, 1019n)).toEqual(v1);
    expect(s.image(2)).toEqual(v2);
    expect(s.image(2, 5000n)).toEqual(v2);
    const all = createHash('sha256');
    for (const id of [0, 1, 2, 3]) all.update(id === 2 ? v1 : stamped(keystream('seed', id), id, 1000n));
    expect(s.checksum(1015n)).toBe(all.digest('hex'));
  });

  test('a restored page is its image as written, until it changes', () => {
    const s = new PageStore('seed', 2, 1n);
    const img = Buffer.alloc(8192, 7);
    s.replace(1, img, 500n);
    expect(s.image(1)).toEqual(img);
    s.modify(1, { lsn: 600n, offset: 100, data: Buffer.from([1]) });
    const want = stamped(img, 1, 600n);
    want[100] = 1;
    expect(s.image(1)).toEqual(want);
    expect(s.image(1, 599n)).toEqual(img);
  });

  test('changed pages since an LSN, by whole 8-page extent, in page order, clipped at the last page', () => {
    const s = new PageStore('seed', 90, 10n);
    expect(s.changedExtentsSince(10n)).toEqual([]);
    expect(s.changedExtentsSince(9n)).toHaveLength(90);
    s.modify(85, { lsn: 20n, offset: 96, data: Buffer.from([1]) });
    s.modify(17, { lsn: 30n, offset: 96, data: Buffer.from([1]) });
    s.replace(3, Buffer.alloc(8192), 25n);
    const range = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => a + i);
    expect(s.changedExtentsSince(10n)).toEqual([...range(0, 8), ...range(16, 24), ...range(80, 88)]);
    expect(s.changedExtentsSince(20n)).toEqual([...range(0, 8), ...range(16, 24)]);
    expect(s.changedExtentsSince(25n)).toEqual(range(16, 24));
    expect(s.changedExtentsSince(30n)).toEqual([]);
    const tail = new PageStore('seed', 20, 10n);
    tail.modify(19, { lsn: 11n, offset: 96, data: Buffer.from([1]) });
    expect(tail.changedExtentsSince(10n)).toEqual([16, 17, 18, 19]);
  });
});

describe('LSN clock and database', () => {
  const L = (vlf: number, block: number, slot: number) => BigInt(vlf) * 1_000_000_000_000_000n + BigInt(block) * 100_000n + BigInt(slot);

  test('slots 1 to 40 in a block, blocks 16 apart by 8 up to 99,900, then the next VLF', () => {
    const c = new LsnClock(30);
    expect(c.peek()).toBe(30_0000000016_00001n); // VLF 30, block 16, slot 1
    expect(c.next()).toBe(L(30, 16, 1));
    expect(c.next()).toBe(L(30, 16, 2));
    for (let i = 2; i < 40; i++) c.next();
    expect(c.next()).toBe(L(30, 24, 1));
    const r = new LsnClock(7);
    // 12,486 blocks of 40 slots: blocks 16, 24, ..., 99,896; then the next VLF.
    for (let i = 0; i < 12_486 * 40 - 1; i++) r.next();
    expect(r.peek()).toBe(L(7, 99_896, 40));
    r.next();
    expect(r.peek()).toBe(L(8, 16, 1));
    r.resumeAt(L(8, 16, 1));
    expect(r.peek()).toBe(L(8, 16, 1));
    r.resumeAt(L(9, 40, 3));
    expect(r.peek()).toBe(L(9, 40, 3));
    r.resumeAt(L(9, 40, 2));
    expect(r.peek()).toBe(L(9, 40, 3));
  });

  test('pages: an eighth of the file (128 pages per MB), at least 16, unless given', () => {
    expect(new Database('D', 'FULL', 4, 's').pages.count).toBe(64);
    expect(new Database('D', 'FULL', 1, 's').pages.count).toBe(16);
    expect(new Database('D', 'FULL', 0.5, 's').pages.count).toBe(16);
    expect(new Database('D', 'FULL', 9, 's').pages.count).toBe(144);
    expect(new Database('D', 'FULL', 4, 's', undefined, 3).pages.count).toBe(3);
  });

  test('transactions: BEGIN, one to three row changes, COMMIT; consecutive LSNs; commits listed', () => {
    const db = new Database('D', 'FULL', 1, 's');
    const start = db.clock.peek();
    expect(db.createdLsn).toBe(start - 1n);
    const r = db.runTransactions(5);
    expect(r.count).toBe(5);
    expect(db.log.map((x) => x.lsn)).toEqual(db.log.map((_, i) => start + BigInt(i)));
    const commits = db.log.filter((x) => x.op === LogOp.COMMIT_XACT);
    expect(r.commits.map((c) => c.lsn)).toEqual(commits.map((c) => c.lsn));
    expect(r.lastLsn).toBe(commits.at(-1)!.lsn);
    expect(r.lastTime.getTime()).toBe(commits.at(-1)!.timeMs);
    let open = 0;
    let rows = 0;
    for (const x of db.log) {
      if (x.op === LogOp.BEGIN_XACT) (open++, (rows = 0), expect(open).toBe(1));
      else if (x.op === LogOp.MODIFY_ROW) {
        rows++;
        expect(x.data.length).toBeGreaterThanOrEqual(16);
        expect(x.offset).toBeGreaterThanOrEqual(96);
        expect(x.offset + x.data.length).toBeLessThanOrEqual(8192);
        expect(x.pageId).toBeLessThan(16);
        // The change is on the page, at the record's LSN.
        expect(db.pages.image(x.pageId, x.lsn).subarray(x.offset, x.offset + x.data.length)).toEqual(x.data);
      } else if (x.op === LogOp.COMMIT_XACT) (expect([open, rows >= 1 && rows <= 3]).toEqual([1, true]), open--);
    }
    expect(new Set(db.log.map((x) => x.xact))).toEqual(new Set([1, 2, 3, 4, 5]));
    const none = db.runTransactions(0);
    expect([none.count, none.lastLsn, none.commits]).toEqual([0, db.clock.peek(), []]);
  });

  test('times never go backwards; lsnAt is the last commit at or before a time; logBetween is [from, to)', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const db = new Database('D', 'FULL', 1, 's');
    vi.setSystemTime(new Date('2026-11-01T10:00:00Z'));
    const a = db.runTransactions(1);
    vi.setSystemTime(new Date('2026-11-01T09:00:00Z')); // the clock stepped back
    const b = db.runTransactions(1);
    expect(b.lastTime.toISOString()).toBe('2026-11-01T10:00:00.000Z');
    vi.setSystemTime(new Date('2026-11-01T11:00:00Z'));
    const c = db.runTransactions(1);
    expect(db.lsnAt(new Date('2026-11-01T09:59:59Z'))).toBeUndefined();
    expect(db.lsnAt(new Date('2026-11-01T10:00:00Z'))).toBe(b.lastLsn);
    expect(db.lsnAt(new Date('2026-11-01T10:30:00Z'))).toBe(b.lastLsn);
    expect(db.lsnAt(new Date('2026-11-01T11:00:00Z'))).toBe(c.lastLsn);
    expect(a.lastLsn < b.lastLsn).toBe(true);
    const from = db.log[2]!.lsn;
    const to = db.log[5]!.lsn;
    expect(db.logBetween(from, to)).toEqual(db.log.slice(2, 5));
    expect(db.runTransactions(0).lastTime.toISOString()).toBe('2026-11-01T11:00:00.000Z');
    expect(new Database('E', 'FULL', 1, 's').runTransactions(0).lastTime.getTime()).toBe(0);
  });

  test('the workload varies: 1 to 3 rows per transaction, row sizes 16 to 199 bytes anywhere in the page, random bytes, pages across the file', () => {
    const db = new Database('D', 'FULL', 4, 's');
    db.runTransactions(60);
    const rows = new Map<number, number>();
    const mods = db.log.filter((x) => x.op === LogOp.MODIFY_ROW);
    for (const m of mods) rows.set(m.xact, (rows.get(m.xact) ?? 0) + 1);
    expect(new Set(rows.values())).toEqual(new Set([1, 2, 3]));
    const lens = mods.map((m) => m.data.length);
    expect([Math.min(...lens) >= 16, Math.max(...lens) <= 199, Math.max(...lens) > 150, Math.min(...lens) < 60]).toEqual([true, true, true, true]);
    const offsets = mods.map((m) => m.offset);
    expect([Math.min(...offsets) < 2000, Math.max(...offsets) > 6000]).toEqual([true, true]);
    expect(new Set(mods.map((m) => m.pageId)).size).toBeGreaterThan(20);
    const bytes = Buffer.concat(mods.map((m) => m.data));
    expect(new Set(bytes).size).toBeGreaterThan(200);
  });

  test('lsnAt ignores records that are not commits', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-11-01T10:00:00Z'));
    const db = new Database('D', 'FULL', 1, 's');
    const r = db.runTransactions(2);
    db.write(LogOp.CHECKPOINT);
    db.write(LogOp.BEGIN_XACT, 9);
    expect(db.lsnAt(new Date('2026-11-01T10:00:00Z'))).toBe(r.lastLsn);
  });

  test('only an ONLINE database runs transactions', () => {
    const db = new Database('Sales', 'FULL', 1, 's');
    db.state = 'RESTORING';
    expect(() => db.runTransactions(1)).toThrow(new Error('database Sales is RESTORING, not ONLINE'));
  });

  test('SIMPLE breaks the log chain; the tail is the log no log backup has taken', () => {
    const db = new Database('D', 'FULL', 1, 's');
    expect(db.hasUnbackedTail()).toBe(false);
    db.runTransactions(1);
    expect(db.hasUnbackedTail()).toBe(true);
    db.chain.logChainLsn = db.clock.peek();
    expect(db.hasUnbackedTail()).toBe(false);
    db.write(LogOp.CHECKPOINT);
    expect(db.hasUnbackedTail()).toBe(false);
    const commitAt = db.clock.peek();
    db.runTransactions(1);
    expect(db.hasUnbackedTail()).toBe(true);
    db.chain.logChainLsn = db.log.at(-1)!.lsn; // the commit itself is not yet backed up
    expect(db.hasUnbackedTail()).toBe(true);
    db.chain.logChainLsn = db.log.at(-1)!.lsn + 1n;
    expect(db.hasUnbackedTail()).toBe(false);
    expect(commitAt).toBeLessThan(db.log.at(-1)!.lsn);
    db.setRecoveryModel('BULK_LOGGED');
    expect(db.chain.logChainLsn).toBeDefined();
    db.setRecoveryModel('SIMPLE');
    expect([db.recoveryModel, db.chain.logChainLsn, db.hasUnbackedTail()]).toEqual(['SIMPLE', undefined, false]);
    db.chain.logChainLsn = 5n;
    db.setRecoveryModel('SIMPLE');
    expect(db.chain.logChainLsn).toBe(5n);
    db.setRecoveryModel('FULL');
    expect(db.recoveryModel).toBe('FULL');
  });
});

describe('instances and the server', () => {
  const spec = {
    instances: [
      { name: 'MSSQLSERVER', databases: [{ name: 'Db', recoveryModel: 'FULL' as const, sizeMb: 1 }, { name: 'Other', recoveryModel: 'SIMPLE' as const, sizeMb: 1 }] },
      { name: 'Named', databases: [{ name: 'Db', recoveryModel: 'FULL' as const, sizeMb: 1 }] },
    ],
  };

  test('SQL Server 2022 CU15; names are case-insensitive; databaseInfo', () => {
    const m = new SqlServerModel('vm', 'vm.lab.test', spec, 's');
    const inst = m.instance('mssqlserver')!;
    expect([inst.name, inst.server, inst.version, inst.edition]).toEqual(['MSSQLSERVER', 'vm.lab.test', '16.0.4135.4', 'Developer Edition (64-bit)']);
    expect(inst.errorLog.entries[0]).toMatchObject({ process: 'Server', message: 'Microsoft SQL Server 2022 (RTM-CU15) - 16.0.4135.4 (X64) Developer Edition (64-bit) on Windows Server 2019 Standard' });
    expect(m.instance('NAMED')!.name).toBe('Named');
    expect(m.instance('nope')).toBeUndefined();
    expect(m.database('MSSQLSERVER', 'DB')!.name).toBe('Db');
    expect(m.database('nope', 'Db')).toBeUndefined();
    const db = inst.database('db')!;
    expect(databaseInfo(db)).toEqual({ name: 'Db', recoveryModel: 'FULL', state: 'ONLINE', sizeMb: 1, pageCount: 16, familyGuid: db.familyGuid, lastLsn: db.createdLsn.toString(), logChain: false });
    const r = m.runTransactions('MSSQLSERVER', 'db', 2);
    expect(databaseInfo(db).lastLsn).toBe(r.lastLsn.toString());
    db.chain.logChainLsn = 1n;
    expect(databaseInfo(db).logChain).toBe(true);
    const simple = inst.database('Other')!;
    simple.chain.logChainLsn = 1n;
    expect(databaseInfo(simple).logChain).toBe(false);
    expect(inst.info()).toEqual({ name: 'MSSQLSERVER', version: '16.0.4135.4', edition: 'Developer Edition (64-bit)', databases: [databaseInfo(db), databaseInfo(simple)] });
    expect(() => m.runTransactions('MSSQLSERVER', 'Nope', 1)).toThrow(new Error('no database MSSQLSERVER\\Nope on vm'));
    expect(inst.drop('DB')).toBe(true);
    expect([inst.drop('Db'), inst.database('Db'), inst.databases().map((d) => d.name)]).toEqual([false, undefined, ['Other']]);
  });

  test('databases of the same name on two instances, or two VMs, are different databases', () => {
    const a = new SqlServerModel('vm1', 'h', spec, 's');
    const b = new SqlServerModel('vm2', 'h', spec, 's');
    const [x, y, z] = [a.database('MSSQLSERVER', 'Db')!, a.database('Named', 'Db')!, b.database('MSSQLSERVER', 'Db')!];
    expect(new Set([x.familyGuid, y.familyGuid, z.familyGuid]).size).toBe(3);
    expect(new Set([x.checksum(), y.checksum(), z.checksum()]).size).toBe(3);
    expect(new SqlServerModel('vm1', 'h', spec, 's').database('MSSQLSERVER', 'Db')!.checksum()).toBe(x.checksum());
  });
});

describe('BACKUP', () => {
  const spec = { instances: [{ name: 'MSSQLSERVER', databases: [{ name: 'Db', recoveryModel: 'FULL' as const, sizeMb: 1 }] }] };
  const setup = () => {
    const m = new SqlServerModel('vm', 'vm.lab.test', spec, 's');
    const inst = m.instance('MSSQLSERVER')!;
    return { inst, db: inst.database('Db')! };
  };
  const disp = (l: bigint) => `${l / 1_000_000_000_000_000n}:${(l % 1_000_000_000_000_000n) / 100_000n}:${l % 100_000n}`;

  test('refusals: in restore (927), log in SIMPLE (4208), log without a full (4214), diff without a full (3035)', () => {
    const { inst, db } = setup();
    db.state = 'RESTORING';
    const e = (() => { try { captureBackup(inst, db, 'log', 'native'); } catch (err) { return err as SqlError; } })()!;
    expect(e.messages).toEqual([
      { number: 927, severity: 14, state: 2, message: "Database 'Db' cannot be opened. It is in the middle of a restore." },
      { number: 3013, severity: 16, state: 1, message: 'BACKUP LOG is terminating abnormally.' },
    ]);
    expect(() => captureBackup(inst, db, 'full', 'vss')).toThrow(/BACKUP DATABASE is terminating abnormally/);
    db.state = 'ONLINE';
    expect(() => captureBackup(inst, db, 'log', 'native')).toThrow(expect.objectContaining({ number: 4214 }));
    expect(() => captureBackup(inst, db, 'diff', 'vss')).toThrow(expect.objectContaining({ number: 3035 }));
    db.setRecoveryModel('SIMPLE');
    expect(() => captureBackup(inst, db, 'log', 'native')).toThrow(expect.objectContaining({ number: 4208 }));
  });

  test('a full: every page, from its checkpoint; history only at commit; error log 18264', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-11-25T08:00:00Z'));
    const { inst, db } = setup();
    db.runTransactions(2);
    const checkpoint = db.clock.peek();
    const sum = db.checksum();
    const f = captureBackup(inst, db, 'full', 'vss');
    expect(f.header).toMatchObject({
      format: 'bpsim-sql-backup/1', type: 'full', method: 'vss', server: 'vm.lab.test', instance: 'MSSQLSERVER', database: 'Db',
      familyGuid: db.familyGuid, recoveryModel: 'FULL', firstLsn: checkpoint.toString(), lastLsn: (checkpoint + 2n).toString(),
      checkpointLsn: checkpoint.toString(), databaseBackupLsn: '0', differentialBaseLsn: null, pageCount: 16, logRecordCount: 2,
      databaseChecksum: sum, backupStartDate: '2026-11-25T08:00:00.000Z', backupFinishDate: '2026-11-25T08:00:00.000Z',
    });
    expect(f.device).toBe(`{${f.header.backupSetId.toUpperCase()}}1`);
    expect(f.device).toMatch(/^\{[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}\}1$/);
    expect(db.chain).toEqual({});
    const logLines = inst.errorLog.entries.length;
    f.commit();
    expect(db.chain).toEqual({ diffBaseLsn: checkpoint, logChainLsn: checkpoint });
    expect(inst.errorLog.entries.slice(logLines)).toEqual([{
      time: '2026-11-25T08:00:00.000Z', process: 'Backup', number: 18264,
      message: `Database backed up. Database: Db, creation date(time): 2026-11-25, pages dumped: 16, first LSN: ${disp(checkpoint)}, last LSN: ${disp(checkpoint + 2n)}, number of dump devices: 1, device information: (FILE=1, TYPE=VIRTUAL_DEVICE: {'${f.device}'}). This is an informational message only. No user action is required.`,
    }]);
    // A second full moves the differential base, not the log chain.
    const cp2 = db.clock.peek();
    captureBackup(inst, db, 'full', 'vss').commit();
    expect(db.chain).toEqual({ diffBaseLsn: cp2, logChainLsn: checkpoint });
    // Copy-only: neither.
    const c = captureBackup(inst, db, 'copy-only', 'vss');
    c.commit();
    expect(db.chain).toEqual({ diffBaseLsn: cp2, logChainLsn: checkpoint });
    expect([c.header.databaseBackupLsn, inst.errorLog.entries.at(-1)!.number]).toEqual([cp2.toString(), 18264]);
  });

  test('a diff carries exactly the changed extents since the base', () => {
    const big = { instances: [{ name: 'MSSQLSERVER', databases: [{ name: 'Db', recoveryModel: 'FULL' as const, sizeMb: 8 }] }] };
    const inst = new SqlServerModel('vm', 'h', big, 's').instance('MSSQLSERVER')!;
    const db = inst.database('Db')!;
    captureBackup(inst, db, 'full', 'vss').commit();
    const tx = db.runTransactions(1);
    const touched = new Set(db.log.filter((x) => x.op === LogOp.MODIFY_ROW && x.lsn <= tx.lastLsn).map((x) => x.pageId >> 3));
    const d = captureBackup(inst, db, 'diff', 'vss');
    const want = [...touched].sort((a, b) => a - b).flatMap((e) => [0, 1, 2, 3, 4, 5, 6, 7].map((i) => e * 8 + i));
    expect(decodeStream(Buffer.concat(d.chunks)).pages.map((p) => p.pageId)).toEqual(want);
    expect(d.header.pageCount).toBe(want.length);
    expect(want.length).toBeLessThan(db.pages.count);
  });

  test('a diff carries the changed extents since the base; a log from the chain to now; their error-log lines', () => {
    const { inst, db } = setup();
    captureBackup(inst, db, 'full', 'vss').commit();
    const base = db.chain.diffBaseLsn!;
    db.runTransactions(3);
    const changed = db.pages.changedExtentsSince(base);
    const d = captureBackup(inst, db, 'diff', 'vss');
    expect(d.header).toMatchObject({ type: 'diff', differentialBaseLsn: base.toString(), databaseBackupLsn: base.toString(), pageCount: changed.length });
    expect(changed.length).toBeGreaterThan(0);
    d.commit();
    expect(db.chain.diffBaseLsn).toBe(base);
    expect(inst.errorLog.entries.at(-1)).toMatchObject({ number: 18270 });
    expect(inst.errorLog.entries.at(-1)!.message).toMatch(/^Database differential changes were backed up\. Database: Db, creation date\(time\): \d{4}-\d\d-\d\d, pages dumped: \d+, first LSN: /);

    const chainAt = db.chain.logChainLsn!;
    const lastCheckpoint = db.log.filter((r) => r.op === LogOp.CHECKPOINT).at(-1)!.lsn;
    const l = captureBackup(inst, db, 'log', 'native');
    const end = db.clock.peek();
    expect(l.header).toMatchObject({ type: 'log', method: 'native', firstLsn: chainAt.toString(), lastLsn: end.toString(), checkpointLsn: lastCheckpoint.toString(), pageCount: 0, differentialBaseLsn: null });
    expect(l.header.logRecordCount).toBe(db.log.filter((r) => r.lsn >= chainAt && r.lsn < end).length);
    expect(db.chain.logChainLsn).toBe(chainAt);
    l.commit();
    expect(db.chain.logChainLsn).toBe(end);
    const line = inst.errorLog.entries.at(-1)!;
    expect(line.number).toBe(18265);
    expect(line.message).toMatch(new RegExp(`^Log was backed up\\. Database: Db, creation date\\(time\\): \\d{4}-\\d\\d-\\d\\d, first LSN: ${disp(chainAt)}, last LSN: ${disp(end)}, number of dump devices: 1,`));
  });

  test('a log backup with no checkpoint in the log names its first LSN as the checkpoint', () => {
    const { inst, db } = setup();
    db.chain.logChainLsn = db.clock.peek();
    db.runTransactions(1);
    const l = captureBackup(inst, db, 'log', 'native');
    expect(l.header.checkpointLsn).toBe(l.header.firstLsn);
    const simple = setup();
    simple.db.setRecoveryModel('SIMPLE');
    const cp = simple.db.clock.peek();
    captureBackup(simple.inst, simple.db, 'full', 'vss').commit();
    expect(simple.db.chain).toEqual({ diffBaseLsn: cp });
  });
});
