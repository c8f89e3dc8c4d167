import { describe, expect, test } from 'vitest';
import { createHash } from 'node:crypto';
import { SqlServerModel } from '../../simulators/guest/sql/server.ts';
import { captureBackup } from '../../simulators/guest/sql/backup.ts';
import { restoreStream } from '../../simulators/guest/sql/restore.ts';
import { sqlNumbers } from './sql-numbers.ts';
import { replayPages } from '../reference/sql-replay.ts';

/*
 * RESTORE's checks as SQL Server documents them (error numbers from its message catalog), and a
 * point-in-time restore judged by a naive replay of the source log, all in-process.
 */
const spec = { instances: [{ name: 'MSSQLSERVER', databases: [{ name: 'Db', recoveryModel: 'FULL' as const, sizeMb: 2 }] }] };

function setup(seed: string) {
  const m = new SqlServerModel('vm', 'vm.lab.test', spec, seed);
  const inst = m.instance('MSSQLSERVER')!;
  const db = inst.database('Db')!;
  return { m, inst, db };
}

const bytes = (b: { chunks: Buffer[] }) => Buffer.concat(b.chunks);
const pause = () => new Promise((r) => setTimeout(r, 3));

describe('RESTORE checks', () => {
  test('a full over an existing database: another family 3154, an unbacked tail 3159, WITH REPLACE allowed', () => {
    const a = setup('a');
    const b = setup('b');
    a.db.runTransactions(2);
    const full = captureBackup(a.inst, a.db, 'full', 'vss');
    full.commit();
    // "Db" on b is another database (another family GUID).
    expect(sqlNumbers(() => restoreStream(b.inst, 'Db', bytes(full), { recovery: true }))).toEqual([3154, 3013]);
    a.db.runTransactions(2);
    expect(sqlNumbers(() => restoreStream(a.inst, 'Db', bytes(full), { recovery: true }))).toEqual([3159, 3013]);
    const r = restoreStream(a.inst, 'Db', bytes(full), { recovery: true, replace: true });
    expect(r.state).toBe('ONLINE');
    expect([r.messages[0]!.number, r.messages.at(-1)!.number]).toEqual([4035, 3014]);
  });

  test('empty and foreign streams: 3201 and 3241; log before full 3117; STOPAT before the full 4338', () => {
    const { inst, db } = setup('c');
    expect(sqlNumbers(() => restoreStream(inst, 'X', Buffer.alloc(0), { recovery: true }))).toEqual([3201, 3013]);
    expect(sqlNumbers(() => restoreStream(inst, 'X', Buffer.from('not a backup at all'), { recovery: true }))).toEqual([3241, 3013]);
    const full = captureBackup(inst, db, 'full', 'vss');
    full.commit();
    db.runTransactions(2);
    const log = captureBackup(inst, db, 'log', 'native');
    log.commit();
    expect(sqlNumbers(() => restoreStream(inst, 'Y', bytes(log), { recovery: true }))).toEqual([3117, 3013]);
    expect(sqlNumbers(() => restoreStream(inst, 'Y', bytes(full), { recovery: false, stopAt: new Date(Date.parse('2000-01-01')) }))).toEqual([4338, 3013]);
  });

  test('a differential needs its own full restored first (3136), and reports its pages', () => {
    const { inst, db } = setup('d');
    const f1 = captureBackup(inst, db, 'full', 'vss');
    f1.commit();
    db.runTransactions(5);
    const d1 = captureBackup(inst, db, 'diff', 'vss');
    d1.commit();
    const f2 = captureBackup(inst, db, 'full', 'vss');
    f2.commit();
    restoreStream(inst, 'Z', bytes(f2), { recovery: false });
    expect(sqlNumbers(() => restoreStream(inst, 'Z', bytes(d1), { recovery: false }))).toEqual([3136, 3013]);
    restoreStream(inst, 'W', bytes(f1), { recovery: false });
    const r = restoreStream(inst, 'W', bytes(d1), { recovery: true });
    expect(r.state).toBe('ONLINE');
    expect(r.messages[0]).toMatchObject({ number: 4035, message: expect.stringMatching(/^Processed \d+ pages for database 'W', file 'W' on file 1\.$/) });
    expect(r.messages.at(-1)).toMatchObject({ number: 3014, message: expect.stringMatching(/^RESTORE DATABASE successfully processed \d+ pages/) });
  });

  test('STOPAT inside a log: the restored pages equal the source log replayed to that commit; then 4335 for an earlier STOPAT', async () => {
    const { inst, db } = setup('e');
    const full = captureBackup(inst, db, 'full', 'vss');
    full.commit();
    const commits: { lsn: bigint; time: number }[] = [];
    for (let i = 0; i < 6; i++) {
      await pause();
      commits.push(...db.runTransactions(2).commits.map((c) => ({ lsn: c.lsn, time: c.time.getTime() })));
    }
    const log = captureBackup(inst, db, 'log', 'native');
    log.commit();
    const stop = commits[5]!;
    restoreStream(inst, 'P', bytes(full), { recovery: false });
    const r = restoreStream(inst, 'P', bytes(log), { recovery: false, stopAt: new Date(stop.time) });
    const last = commits.filter((c) => c.time <= stop.time).at(-1)!;
    expect(r.restoredLsn).toBe(last.lsn + 1n);
    expect(sqlNumbers(() => restoreStream(inst, 'P', bytes(log), { recovery: false, stopAt: new Date(commits[1]!.time) }))).toEqual([4335, 3013]);
    restoreStream(inst, 'P', bytes(log), { recovery: true, stopAt: new Date(stop.time) });
    const restored = inst.database('P')!;
    expect(restored.state).toBe('ONLINE');
    const want = replayPages(db, stop.time);
    const h = (bufs: Buffer[]) => bufs.reduce((x, b) => x.update(b), createHash('sha256')).digest('hex');
    expect(h(Array.from({ length: restored.pages.count }, (_, id) => restored.pages.image(id)))).toBe(h(want));
    // Recovered: new transactions continue the LSN sequence after the restored point.
    expect(restored.runTransactions(1).lastLsn).toBeGreaterThan(last.lsn);
  });

  test('what each RESTORE reports: messages 4035/3014 sized from the stream, error log lines 18267/18268/18269', async () => {
    const { inst, db } = setup('f');
    db.runTransactions(3);
    const full = captureBackup(inst, db, 'full', 'vss');
    full.commit();
    await pause();
    db.runTransactions(4);
    const diff = captureBackup(inst, db, 'diff', 'vss');
    diff.commit();
    db.runTransactions(5);
    const log = captureBackup(inst, db, 'log', 'native');
    log.commit();
    const header = (b: Buffer) => JSON.parse(b.subarray(12, 12 + b.readUInt32LE(8)).toString('utf8')) as { pageCount: number; logRecordCount: number; firstLsn: string; lastLsn: string };
    const expectMessages = (msgs: { number: number; message: string }[], b: Buffer, target: string, stmt: string) => {
      const h = header(b);
      const want: [number, RegExp][] = [];
      if (h.pageCount) want.push([4035, new RegExp(`^Processed ${h.pageCount} pages for database '${target}', file '${target}' on file 1\\.$`)]);
      if (h.logRecordCount) want.push([4035, new RegExp(`^Processed ${Math.max(1, Math.ceil((h.logRecordCount * 64) / 8192))} pages for database '${target}', file '${target}_log' on file 1\\.$`)]);
      want.push([3014, new RegExp(`^${stmt} successfully processed ${h.pageCount + 1} pages in `)]);
      expect(msgs.map((m) => m.number)).toEqual(want.map((w) => w[0]));
      msgs.forEach((m, i) => expect(m.message).toMatch(want[i]![1]));
    };
    const fullB = bytes(full);
    // STOPAT after the full's start is allowed on RESTORE DATABASE, and an ONLINE database with nothing unbacked may be overwritten.
    const rf = restoreStream(inst, 'Db', fullB, { recovery: false, stopAt: new Date(Date.now() + 60_000) });
    expectMessages(rf.messages, fullB, 'Db', 'RESTORE DATABASE');
    const rd = restoreStream(inst, 'Db', bytes(diff), { recovery: false });
    expectMessages(rd.messages, bytes(diff), 'Db', 'RESTORE DATABASE');
    const rl = restoreStream(inst, 'Db', bytes(log), { recovery: true });
    expectMessages(rl.messages, bytes(log), 'Db', 'RESTORE LOG');
    expect(rl.restoredLsn).toBe(BigInt(header(bytes(log)).lastLsn));
    const lines = inst.errorLog.entries.filter((e) => e.process === 'Backup' && [18267, 18268, 18269].includes(e.number ?? 0));
    expect(lines.map((e) => e.number)).toEqual([18267, 18268, 18269]);
    expect(lines[0]!.message).toMatch(/^Database was restored: Database: Db, creation date\(time\): \d{4}-\d\d-\d\d, first LSN: \d+:\d+:\d+, last LSN: \d+:\d+:\d+, number of dump devices: 1/);
    expect(lines[1]!.message).toMatch(/^Database changes were restored: Database: Db,/);
    expect(lines[2]!.message).toMatch(/^Log was restored: Database: Db,/);
  });

  test('a differential older than what is already restored is 3136; an unbacked tail does not block a STOPAT restore', () => {
    const { inst, db } = setup('g');
    const full = captureBackup(inst, db, 'full', 'vss');
    full.commit();
    db.runTransactions(3);
    const diff = captureBackup(inst, db, 'diff', 'vss');
    diff.commit();
    db.runTransactions(3);
    const log = captureBackup(inst, db, 'log', 'native');
    log.commit();
    restoreStream(inst, 'Q', bytes(full), { recovery: false });
    restoreStream(inst, 'Q', bytes(log), { recovery: false });
    expect(sqlNumbers(() => restoreStream(inst, 'Q', bytes(diff), { recovery: false }))).toEqual([3136, 3013]);
    // A log whose first LSN is past the restored point (the full alone restored): 4305.
    restoreStream(inst, 'R', bytes(full), { recovery: false });
    db.runTransactions(2);
    const log2 = captureBackup(inst, db, 'log', 'native');
    log2.commit();
    expect(sqlNumbers(() => restoreStream(inst, 'R', bytes(log2), { recovery: false }))).toEqual([4305, 3013]);
    db.runTransactions(2);
    expect(restoreStream(inst, 'Db', bytes(full), { recovery: false, stopAt: new Date(Date.now() + 60_000) }).state).toBe('RESTORING');
  });
});

