import { describe, expect, test } from 'vitest';
import { createHash } from 'node:crypto';
import { SqlServerModel } from '../../simulators/guest/sql/server.ts';
import { captureBackup } from '../../simulators/guest/sql/backup.ts';
import { recover, restoreStream, restoredLsnOf } from '../../simulators/guest/sql/restore.ts';
import { SqlError } from '../../simulators/guest/sql/errors.ts';
import { decodeStream, encodeStream, LogOp, type BackupSetHeader } from '../../simulators/core/codecs/sql-backup-stream.ts';
import { replayPages } from '../reference/sql-replay.ts';

/*
 * RESTORE as a DBA sees it: the exact texts SQL Server prints (its message catalog, with the LSNs
 * of the backup sets involved), the error log's recovery line, and the rows a restore keeps or
 * drops, judged by the naive replay in test/reference/sql-replay.ts.
 */
const spec = { instances: [{ name: 'MSSQLSERVER', databases: [{ name: 'Db', recoveryModel: 'FULL' as const, sizeMb: 1 }] }] };
function setup(seed: string) {
  const inst = new SqlServerModel('vm', 'vm.lab.test', spec, seed).instance('MSSQLSERVER')!;
  return { inst, db: inst.database('Db')! };
}
const bytes = (b: { chunks: Buffer[] }) => Buffer.concat(b.chunks);
/** The same backup set with header fields changed (re-encoded with a valid checksum). */
const edited = (b: Buffer, change: Partial<BackupSetHeader>) => {
  const s = decodeStream(b);
  return bytes(encodeStream({ ...s.header, ...change }, s.pages, s.log));
};
function refusal(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof SqlError) return e.messages.map((m) => `${m.number}: ${m.message}`);
    throw e;
  }
  throw new Error('expected a refusal');
}
const ending = (stmt: string) => `3013: ${stmt} is terminating abnormally.`;

describe('RESTORE refusals, word for word', () => {
  test('no stream, a damaged one, not a backup at all', () => {
    const { inst, db } = setup('a');
    expect(refusal(() => restoreStream(inst, 'X', Buffer.alloc(0), { recovery: true }))).toEqual([
      "3201: Cannot open backup device 'VIRTUAL_DEVICE'. Operating system error 38(Reached the end of the file.).", ending('RESTORE DATABASE'),
    ]);
    const full = bytes(captureBackup(inst, db, 'full', 'vss'));
    const damaged = Buffer.from(full);
    damaged[full.length - 40] = damaged[full.length - 40]! ^ 1;
    expect(refusal(() => restoreStream(inst, 'X', damaged, { recovery: true }))).toEqual(['3189: Damage to the backup set was detected.', ending('RESTORE DATABASE')]);
    expect(refusal(() => restoreStream(inst, 'X', full.subarray(0, 20), { recovery: true }))).toEqual([
      "3241: The media family on device 'VIRTUAL_DEVICE' is incorrectly formed. SQL Server cannot process this media family.", ending('RESTORE DATABASE'),
    ]);
  });

  test('a log or differential onto a database that is not restoring: 3117, by statement', () => {
    const { inst, db } = setup('b');
    const full = captureBackup(inst, db, 'full', 'vss');
    full.commit();
    db.runTransactions(2);
    const diff = bytes(captureBackup(inst, db, 'diff', 'vss'));
    const log = captureBackup(inst, db, 'log', 'native');
    log.commit();
    const t3117 = '3117: The log or differential backup cannot be restored because no files are ready to rollforward.';
    expect(refusal(() => restoreStream(inst, 'Db', bytes(log), { recovery: true }))).toEqual([t3117, ending('RESTORE LOG')]);
    expect(refusal(() => restoreStream(inst, 'Nope', diff, { recovery: true }))).toEqual([t3117, ending('RESTORE DATABASE')]);
    // Restored WITH RECOVERY: online, nothing more can be rolled forward.
    restoreStream(inst, 'T', bytes(full), { recovery: true });
    expect(refusal(() => restoreStream(inst, 'T', bytes(log), { recovery: false }))).toEqual([t3117, ending('RESTORE LOG')]);
  });

  test('log LSNs: too recent (4305) and too early (4326) name the LSNs involved; a log of another database is too recent', () => {
    const { inst, db } = setup('c');
    const full = captureBackup(inst, db, 'full', 'vss');
    full.commit();
    db.runTransactions(2);
    const log1 = captureBackup(inst, db, 'log', 'native');
    log1.commit();
    db.runTransactions(2);
    const log2 = captureBackup(inst, db, 'log', 'native');
    log2.commit();
    restoreStream(inst, 'T', bytes(full), { recovery: false });
    const restored = full.header.lastLsn;
    expect(restoredLsnOf(inst.database('T')!)).toBe(BigInt(restored));
    expect(refusal(() => restoreStream(inst, 'T', bytes(log2), { recovery: false }))).toEqual([
      `4305: The log in this backup set begins at LSN ${log2.header.firstLsn}, which is too recent to apply to the database. An earlier log backup that includes LSN ${restored} can be restored.`,
      ending('RESTORE LOG'),
    ]);
    // The same log claimed by another database (another family GUID), LSNs fitting: still refused.
    const foreign = edited(bytes(log1), { familyGuid: '00000000-0000-4000-8000-000000000000' });
    expect(refusal(() => restoreStream(inst, 'T', foreign, { recovery: false }))[0]).toMatch(/^4305: /);
    restoreStream(inst, 'T', bytes(log1), { recovery: false });
    expect(refusal(() => restoreStream(inst, 'T', bytes(log1), { recovery: false }))).toEqual([
      `4326: The log in this backup set terminates at LSN ${log1.header.lastLsn}, which is too early to apply to the database. A more recent log backup that includes LSN ${log1.header.lastLsn} can be restored.`,
      ending('RESTORE LOG'),
    ]);
    expect(restoreStream(inst, 'T', bytes(log2), { recovery: true }).restoredLsn).toBe(BigInt(log2.header.lastLsn));
  });

  test('a differential of another database, or one whose start is past STOPAT', () => {
    const { inst, db } = setup('d');
    const full = captureBackup(inst, db, 'full', 'vss');
    full.commit();
    db.runTransactions(2);
    const diff = bytes(captureBackup(inst, db, 'diff', 'vss'));
    restoreStream(inst, 'T', bytes(full), { recovery: false });
    expect(refusal(() => restoreStream(inst, 'T', edited(diff, { familyGuid: '00000000-0000-4000-8000-000000000000' }), { recovery: false }))).toEqual([
      '3136: This differential backup cannot be restored because the database has not been restored to the correct earlier state.', ending('RESTORE DATABASE'),
    ]);
    const start = Date.parse(decodeStream(diff).header.backupStartDate);
    expect(refusal(() => restoreStream(inst, 'T', diff, { recovery: false, stopAt: new Date(start - 1) }))).toEqual([
      '4338: The STOPAT clause specifies a point too early to allow this backup set to be restored. Choose a different stop point or use RESTORE DATABASE WITH RECOVERY to recover at the current point.',
      ending('RESTORE DATABASE'),
    ]);
    expect(restoreStream(inst, 'T', diff, { recovery: false, stopAt: new Date(start) }).state).toBe('RESTORING');
  });

  test('STOPAT earlier than what a restored full already reached: 4335; at that point it is allowed', () => {
    const { inst, db } = setup('e');
    const full = captureBackup(inst, db, 'full', 'vss');
    full.commit();
    db.runTransactions(2);
    const log = captureBackup(inst, db, 'log', 'native');
    log.commit();
    restoreStream(inst, 'T', bytes(full), { recovery: false });
    const reached = Date.parse(full.header.backupFinishDate);
    expect(refusal(() => restoreStream(inst, 'T', bytes(log), { recovery: false, stopAt: new Date(reached - 1) }))).toEqual([
      '4335: The specified STOPAT time is too early. All or part of the database is already rolled forward beyond that point.', ending('RESTORE LOG'),
    ]);
    expect(restoreStream(inst, 'T', bytes(log), { recovery: false, stopAt: new Date(reached) }).state).toBe('RESTORING');
  });

  test('over an existing database: another family is 3154 unless WITH REPLACE; a RESTORING one may be overwritten', () => {
    const a = setup('f');
    const b = setup('g');
    const fullA = captureBackup(a.inst, a.db, 'full', 'vss');
    fullA.commit();
    expect(refusal(() => restoreStream(b.inst, 'Db', bytes(fullA), { recovery: true }))).toEqual([
      "3154: The backup set holds a backup of a database other than the existing 'Db' database.", ending('RESTORE DATABASE'),
    ]);
    expect(restoreStream(b.inst, 'Db', bytes(fullA), { recovery: true, replace: true }).state).toBe('ONLINE');
    expect(b.inst.database('Db')!.familyGuid).toBe(a.db.familyGuid);
    a.db.runTransactions(1);
    expect(refusal(() => restoreStream(a.inst, 'Db', bytes(fullA), { recovery: true }))[0]).toMatch(/^3159: The tail of the log for the database "Db" has not been backed up\./);
    a.db.state = 'RESTORING';
    expect(restoreStream(a.inst, 'Db', bytes(fullA), { recovery: false }).state).toBe('RESTORING');
  });
});

describe('what a restore leaves', () => {
  test('a restored full: the backup\'s family, recovery model, pages; size from the pages; recovery logged, chain reset', () => {
    const { inst, db } = setup('h');
    db.setRecoveryModel('BULK_LOGGED');
    db.runTransactions(3);
    const sum = db.checksum();
    const full = captureBackup(inst, db, 'full', 'vss');
    full.commit();
    const r = restoreStream(inst, 'Copy', bytes(full), { recovery: false });
    expect([r.type, r.backupSetId, r.state, r.restoredLsn]).toEqual(['full', full.header.backupSetId, 'RESTORING', BigInt(full.header.lastLsn)]);
    const copy = inst.database('copy')!;
    expect([copy.name, copy.familyGuid, copy.recoveryModel, copy.pages.count, copy.sizeMb, copy.state]).toEqual(['Copy', db.familyGuid, 'BULK_LOGGED', 16, 1, 'RESTORING']);
    expect(() => copy.runTransactions(1)).toThrow('database Copy is RESTORING, not ONLINE');
    const before = inst.errorLog.entries.length;
    recover(inst, copy);
    expect([copy.state, copy.chain, restoredLsnOf(copy)]).toEqual(['ONLINE', {}, undefined]);
    expect(inst.errorLog.entries.slice(before)).toEqual([
      { time: expect.any(String), process: 'spid51', number: undefined, message: 'Recovery completed for database Copy (database ID 7) in 1 second(s). This is an informational message only. No user action is required.' },
    ]);
    recover(inst, copy);
    expect(inst.errorLog.entries.length).toBe(before + 1);
    expect(copy.checksum()).toBe(sum);
    expect(copy.runTransactions(1).lastLsn).toBeGreaterThan(BigInt(full.header.lastLsn));
  });

  test('a copy-only full restores like a full; STOPAT before its start is 4338 on RESTORE DATABASE; the error log names its device', () => {
    const { inst, db } = setup('j');
    db.runTransactions(2);
    const c = captureBackup(inst, db, 'copy-only', 'vss');
    const start = Date.parse(c.header.backupStartDate);
    expect(refusal(() => restoreStream(inst, 'C', bytes(c), { recovery: true, stopAt: new Date(start - 1) }))).toEqual([
      '4338: The STOPAT clause specifies a point too early to allow this backup set to be restored. Choose a different stop point or use RESTORE DATABASE WITH RECOVERY to recover at the current point.',
      ending('RESTORE DATABASE'),
    ]);
    const r = restoreStream(inst, 'C', bytes(c), { recovery: true });
    expect([r.type, r.state]).toEqual(['copy-only', 'ONLINE']);
    expect(inst.database('C')!.checksum()).toBe(db.checksum());
    const line = inst.errorLog.entries.filter((e) => e.number === 18267).at(-1)!;
    expect(line.message).toContain(`device information: (FILE=1, TYPE=VIRTUAL_DEVICE: {'${c.device}'}). Informational message. No user action required.`);
  });

  test('a larger database restores with its size rounded from its pages (8 KiB each)', () => {
    const big = { instances: [{ name: 'MSSQLSERVER', databases: [{ name: 'Db', recoveryModel: 'FULL' as const, sizeMb: 20 }] }] };
    const inst = new SqlServerModel('vm', 'h', big, 's').instance('MSSQLSERVER')!;
    const db = inst.database('Db')!;
    const full = captureBackup(inst, db, 'full', 'vss');
    restoreStream(inst, 'T', bytes(full), { recovery: true });
    // 320 pages * 8 KiB = 2.5 MB of used pages; bpsim sizes a database at eight times its used pages.
    expect([inst.database('T')!.pages.count, inst.database('T')!.sizeMb]).toEqual([320, 20]);
    expect(inst.database('T')!.checksum()).toBe(db.checksum());
  });

  test('a transaction not committed when the log was backed up is not rolled forward', () => {
    const { inst, db } = setup('i');
    const full = captureBackup(inst, db, 'full', 'vss');
    full.commit();
    db.runTransactions(2);
    const open = db.write(LogOp.BEGIN_XACT, 99);
    db.write(LogOp.MODIFY_ROW, 99, { pageId: 3, offset: 500, data: Buffer.alloc(64, 0xee) });
    const log = captureBackup(inst, db, 'log', 'native');
    log.commit();
    restoreStream(inst, 'T', bytes(full), { recovery: false });
    restoreStream(inst, 'T', bytes(log), { recovery: true });
    const t = inst.database('T')!;
    const h = (bufs: Buffer[]) => bufs.reduce((x, b) => x.update(b), createHash('sha256')).digest('hex');
    expect(h(Array.from({ length: t.pages.count }, (_, id) => t.pages.image(id)))).toBe(h(replayPages(db, Date.now() + 1000)));
    expect(t.pages.image(3).subarray(500, 564).equals(Buffer.alloc(64, 0xee))).toBe(false);
    expect(t.checksum()).toBe(db.checksum(open.lsn - 1n));
  });
});
