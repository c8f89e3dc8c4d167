import { beforeEach, describe, expect, test } from 'vitest';
import { SqlCatalog } from '../../simulators/cloud/sql-catalog.ts';
import { openMetadataDb } from '../../simulators/cloud/metadata-db.ts';

/*
 * The catalog's validation and SQL Server's restore-chain rules, called directly (no lab, so a
 * mutation run loads little): every expected id, LSN, time and message below is written by hand
 * from the rules in sql-catalog.ts's doc comment and SQL Server's msdb semantics, never computed.
 */
const H = 'ab'.repeat(32);
const big = 90_000_000_000_000_000_000n; // beyond 2^53: LSNs must be compared as integers, exactly
const L = (n: number) => (big + BigInt(n)).toString();
const base = { database: 'Sales', instance: 'SQL01\\MSSQLSERVER', blocks: [H] };

let cat: SqlCatalog;
beforeEach(async () => {
  cat = new SqlCatalog(await openMetadataDb());
});

/** The thrown ApiError's status, code and message. */
function refusal(fn: () => unknown): { status: number; code: string; message: string; details?: unknown } {
  try {
    fn();
  } catch (e) {
    const { status, code, message, details } = e as { status: number; code: string; message: string; details?: unknown };
    return { status, code, message, ...(details ? { details } : {}) };
  }
  throw new Error('expected a refusal');
}
const invalid = (message: string) => ({ status: 400, code: 'invalid_backup', message });

describe('entry validation', () => {
  const good = { ...base, id: 'e1', type: 'full', time: '2026-11-01T01:00:00Z', firstLsn: '10', lastLsn: '20' };

  test('database, instance and time must be non-empty strings; type one of four', () => {
    for (const f of ['database', 'instance', 'time']) {
      expect(refusal(() => cat.add({ ...good, [f]: '' }))).toEqual(invalid(`"${f}" must be a non-empty string`));
      expect(refusal(() => cat.add({ ...good, [f]: 7 }))).toEqual(invalid(`"${f}" must be a non-empty string`));
    }
    expect(refusal(() => cat.add({ ...good, type: 'differential' }))).toEqual(invalid('"type" must be one of full, diff, log, copy-only'));
    expect(refusal(() => cat.add({ ...good, time: 'yesterday' }))).toEqual(invalid('"time" must be an ISO-8601 time'));
    for (const type of ['full', 'log', 'copy-only']) expect(cat.add({ ...good, id: `t-${type}`, type }).type).toBe(type);
    expect(cat.add({ ...good, id: 't-diff', type: 'diff', differentialBaseLsn: '5' }).type).toBe('diff');
  });

  test('time is stored in UTC ISO form', () => {
    expect(cat.add({ ...good, time: '2026-11-01T01:00:00+01:00' }).time).toBe('2026-11-01T00:00:00.000Z');
    expect(cat.get('e1')!.time).toBe('2026-11-01T00:00:00.000Z');
  });

  test('first and last LSN are required; the others optional; all decimal, stored as strings', () => {
    for (const f of ['firstLsn', 'lastLsn']) {
      expect(refusal(() => cat.add({ ...good, [f]: undefined }))).toEqual(invalid(`"${f}" is required`));
      expect(refusal(() => cat.add({ ...good, [f]: null }))).toEqual(invalid(`"${f}" is required`));
    }
    for (const f of ['firstLsn', 'lastLsn', 'databaseBackupLsn', 'differentialBaseLsn', 'checkpointLsn']) {
      expect(refusal(() => cat.add({ ...good, [f]: '0x10' }))).toEqual(invalid(`"${f}" must be a decimal LSN (string or safe integer), got "0x10"`));
    }
    expect(refusal(() => cat.add({ ...good, checkpointLsn: -1 }))).toEqual(invalid('"checkpointLsn" must be a decimal LSN (string or safe integer), got -1'));
    const e = cat.add({ ...good, firstLsn: 10, lastLsn: 20, checkpointLsn: 15, databaseBackupLsn: 3 });
    expect([e.firstLsn, e.lastLsn, e.checkpointLsn, e.databaseBackupLsn]).toEqual(['10', '20', '15', '3']);
    expect('differentialBaseLsn' in e).toBe(false);
  });

  test('lastLsn below firstLsn is refused, compared as integers; equal is fine', () => {
    expect(refusal(() => cat.add({ ...good, firstLsn: L(2), lastLsn: L(1) }))).toEqual(invalid('"lastLsn" is lower than "firstLsn"'));
    // As strings '9' > '10'; as integers 9 < 10.
    expect(cat.add({ ...good, id: 'a', firstLsn: '9', lastLsn: '10' }).lastLsn).toBe('10');
    expect(cat.add({ ...good, id: 'b', firstLsn: L(5), lastLsn: L(5) }).lastLsn).toBe(L(5));
  });

  test('a diff needs its differential base; blocks are SHA-256 hex hashes', () => {
    expect(refusal(() => cat.add({ ...good, type: 'diff' }))).toEqual(invalid('a diff backup needs "differentialBaseLsn"'));
    const blocksMsg = invalid('"blocks" must be an array of SHA-256 hex hashes');
    expect(refusal(() => cat.add({ ...good, blocks: undefined }))).toEqual(blocksMsg);
    expect(refusal(() => cat.add({ ...good, blocks: H }))).toEqual(blocksMsg);
    expect(refusal(() => cat.add({ ...good, blocks: [H, 'zz'] }))).toEqual(blocksMsg);
    expect(cat.add({ ...good, blocks: [] }).blocks).toEqual([]);
  });

  test('ids: 1 to 128 of [A-Za-z0-9_.:-], else refused; absent, one is made', () => {
    const idMsg = invalid('"id" must be 1-128 characters of [A-Za-z0-9_.:-]');
    for (const id of ['', 'a b', 'x'.repeat(129), 5, 'a/b']) expect(refusal(() => cat.add({ ...good, id }))).toEqual(idMsg);
    expect(cat.add({ ...good, id: 'x'.repeat(128) }).id).toBe('x'.repeat(128));
    expect(cat.add({ ...good, id: 'A_z.0:9-' }).id).toBe('A_z.0:9-');
    const made = cat.add({ ...good, id: undefined });
    expect(made.id).toMatch(/^sqlbk-[0-9a-f]{8}-[0-9a-f]{3}$/);
    expect(cat.get(made.id!)).toEqual(made);
  });

  test('a second entry with the same id is 409; the first is kept', () => {
    cat.add(good);
    expect(refusal(() => cat.add({ ...good, lastLsn: '30' }))).toEqual({ status: 409, code: 'conflict', message: 'catalog entry e1 already exists' });
    expect(cat.get('e1')!.lastLsn).toBe('20');
    expect(cat.get('e2')).toBeUndefined();
  });
});

describe('query', () => {
  test('filters by database, instance and type, in any combination; ordered by time, then insertion', () => {
    const add = (id: string, database: string, instance: string, type: string, time: string) =>
      cat.add({ id, database, instance, type, time, firstLsn: '1', lastLsn: '2', blocks: [] });
    add('c', 'Sales', 'A', 'log', '2026-11-01T03:00:00Z');
    add('a', 'Sales', 'A', 'full', '2026-11-01T01:00:00Z');
    add('b2', 'Sales', 'B', 'full', '2026-11-01T02:00:00Z');
    add('b1', 'Sales', 'A', 'log', '2026-11-01T02:00:00Z');
    add('h', 'HR', 'A', 'full', '2026-11-01T00:00:00Z');
    const ids = (q: Parameters<SqlCatalog['query']>[0]) => cat.query(q).map((e) => e.id);
    expect(ids({})).toEqual(['h', 'a', 'b2', 'b1', 'c']);
    expect(ids({ database: 'Sales' })).toEqual(['a', 'b2', 'b1', 'c']);
    expect(ids({ instance: 'B' })).toEqual(['b2']);
    expect(ids({ type: 'log' })).toEqual(['b1', 'c']);
    expect(ids({ database: 'Sales', instance: 'A', type: 'full' })).toEqual(['a']);
    expect(ids({ database: 'HR', type: 'log' })).toEqual([]);
  });
});

describe('restore chain', () => {
  /** One database's backups, LSNs offset by 2^66-ish so float comparison would tie. */
  const add = (id: string, type: string, time: string, first: number, last: number, extra: Record<string, unknown> = {}) =>
    cat.add({ ...base, id, type, time: `2026-11-01T${time}:00Z`, firstLsn: L(first), lastLsn: L(last), ...extra });
  const chain = (time: string, instance?: string) => {
    const c = cat.restoreChain('Sales', `2026-11-01T${time}:00Z`, instance);
    return { full: c.full.id, diff: c.diff?.id, logs: c.logs.map((l) => l.id), stopAt: c.stopAt, restoredTo: c.restoredTo };
  };
  const iso = (time: string) => `2026-11-01T${time}:00.000Z`;

  test('time, database and instance are checked first', () => {
    expect(refusal(() => cat.restoreChain('Sales', 'soon'))).toEqual({ status: 400, code: 'invalid_request', message: '"time" must be an ISO-8601 time' });
    expect(refusal(() => cat.restoreChain('Sales', '2026-11-01T00:00:00Z'))).toEqual({ status: 404, code: 'not_found', message: 'no backups of database Sales' });
    expect(refusal(() => cat.restoreChain('Sales', '2026-11-01T00:00:00Z', 'X'))).toEqual({ status: 404, code: 'not_found', message: 'no backups of database Sales on X' });
    add('f', 'full', '01:00', 10, 20);
    cat.add({ ...base, instance: 'SQL02', id: 'g', type: 'full', time: '2026-11-01T01:00:00Z', firstLsn: '1', lastLsn: '2' });
    expect(refusal(() => cat.restoreChain('Sales', '2026-11-01T02:00:00Z'))).toEqual({
      status: 400, code: 'ambiguous_database',
      message: 'database Sales exists on several instances (SQL01\\MSSQLSERVER, SQL02); pass "instance"',
    });
    const c = cat.restoreChain('Sales', '2026-11-01T02:00:00+01:00', 'SQL02');
    expect([c.database, c.instance, c.time, c.full.id]).toEqual(['Sales', 'SQL02', '2026-11-01T01:00:00.000Z', 'g']);
  });

  test('no full at or before T is SQL Server 4214; a full finished exactly at T counts', () => {
    add('c', 'copy-only', '00:30', 1, 5, { checkpointLsn: L(3) });
    add('f', 'full', '01:00', 10, 20, { checkpointLsn: L(15) });
    expect(refusal(() => chain('00:45'))).toEqual({
      status: 404, code: 'no_full_backup',
      message: 'no full backup of Sales finished at or before 2026-11-01T00:45:00.000Z (SQL Server error 4214)',
    });
    // Restoring to the full's own finish: nothing to roll forward, no STOPAT, even with logs after it.
    expect(chain('01:00')).toEqual({ full: 'f', diff: undefined, logs: [], stopAt: null, restoredTo: iso('01:00') });
    add('l1', 'log', '02:00', 15, 30);
    expect(chain('01:00')).toEqual({ full: 'f', diff: undefined, logs: [], stopAt: null, restoredTo: iso('01:00') });
    expect(chain('01:30')).toEqual({ full: 'f', diff: undefined, logs: ['l1'], stopAt: iso('01:30'), restoredTo: iso('01:30') });
  });

  test('the latest full before T; its latest diff (by differential base), never a copy-only as base', () => {
    add('f1', 'full', '01:00', 100, 120, { checkpointLsn: L(110) });
    add('d1', 'diff', '02:00', 150, 170, { checkpointLsn: L(160), differentialBaseLsn: L(110) });
    add('d2', 'diff', '03:00', 180, 190, { checkpointLsn: L(185), differentialBaseLsn: L(110) });
    add('c1', 'copy-only', '04:00', 200, 210, { checkpointLsn: L(205) });
    add('dc', 'diff', '05:00', 220, 230, { checkpointLsn: L(225), differentialBaseLsn: L(205) });
    expect(chain('02:30')).toMatchObject({ full: 'f1', diff: 'd1', restoredTo: iso('02:00') });
    expect(chain('03:00')).toMatchObject({ full: 'f1', diff: 'd2', restoredTo: iso('03:00'), stopAt: null });
    expect(chain('06:00')).toMatchObject({ full: 'f1', diff: 'd2' });
    expect(chain('01:30')).toMatchObject({ full: 'f1', diff: undefined, restoredTo: iso('01:00') });
  });

  test('a diff on an older full is not used after a newer full, even one with the same base LSN taken earlier', () => {
    add('f1', 'full', '01:00', 100, 120, { checkpointLsn: L(110) });
    add('d-old', 'diff', '02:00', 150, 170, { differentialBaseLsn: L(110) });
    // A full restored elsewhere and recorded with an equal checkpoint: a diff older than it is not its diff.
    add('f2', 'full', '03:00', 300, 320, { checkpointLsn: L(110) });
    expect(chain('04:00')).toMatchObject({ full: 'f2', diff: undefined });
    add('d-new', 'diff', '03:00', 330, 340, { differentialBaseLsn: L(110) });
    expect(chain('04:00')).toMatchObject({ full: 'f2', diff: 'd-new' });
    // msdb records a differential base on other backup types too: only a diff is a diff.
    add('l-based', 'log', '03:30', 320, 330, { differentialBaseLsn: L(110) });
    add('c-based', 'copy-only', '03:40', 330, 335, { differentialBaseLsn: L(110), checkpointLsn: L(332) });
    expect(chain('04:00')).toMatchObject({ full: 'f2', diff: 'd-new' });
    // A full without a checkpoint LSN has no diffs.
    add('f3', 'full', '05:00', 400, 420);
    add('d3', 'diff', '06:00', 430, 440, { differentialBaseLsn: L(410) });
    expect(chain('07:00')).toMatchObject({ full: 'f3', diff: undefined });
  });

  test('logs: the first contains the base\'s last LSN (first <= lsn < last), the rest are contiguous, up to the one covering T', () => {
    add('f', 'full', '01:00', 900, 1100, { checkpointLsn: L(1000) });
    add('early', 'log', '00:30', 500, 1100); // ends at the full's last LSN: too early (4326)
    add('l1', 'log', '02:00', 950, 2000);
    add('l2', 'log', '03:00', 2000, 3000);
    add('l3', 'log', '04:00', 3000, 4000);
    expect(chain('02:30')).toEqual({ full: 'f', diff: undefined, logs: ['l1', 'l2'], stopAt: iso('02:30'), restoredTo: iso('02:30') });
    expect(chain('02:00')).toEqual({ full: 'f', diff: undefined, logs: ['l1'], stopAt: iso('02:00'), restoredTo: iso('02:00') });
    expect(chain('04:00')).toMatchObject({ logs: ['l1', 'l2', 'l3'], stopAt: iso('04:00') });
    // Past the last log: the chain ends there, no STOPAT, and that is not a broken chain.
    expect(chain('09:00')).toEqual({ full: 'f', diff: undefined, logs: ['l1', 'l2', 'l3'], stopAt: null, restoredTo: iso('04:00') });
  });

  test('the first log may start exactly at the base\'s last LSN; with several candidates the lowest first LSN wins', () => {
    add('f', 'full', '01:00', 900, 1100);
    // Inserted neither in LSN order nor in its reverse.
    add('l-a', 'log', '02:00', 1050, 2000);
    add('l-b', 'log', '02:00', 1000, 2000);
    add('l-c', 'log', '02:00', 1100, 2000);
    expect(chain('01:30').logs).toEqual(['l-b']);
  });

  test('after the first log, the next must start exactly at the previous one\'s last LSN (an overlapping log is not it)', () => {
    add('f', 'full', '01:00', 900, 1100);
    add('l1', 'log', '02:00', 950, 2000);
    add('overlap', 'log', '02:30', 1500, 2500);
    add('l2', 'log', '03:00', 2000, 3000);
    expect(chain('02:45').logs).toEqual(['l1', 'l2']);
  });

  test('a log starting right at the base\'s last LSN continues it', () => {
    add('f', 'full', '01:00', 900, 1100);
    add('l1', 'log', '02:00', 1100, 1200);
    add('l2', 'log', '03:00', 1200, 1300);
    expect(chain('02:30')).toMatchObject({ logs: ['l1', 'l2'], stopAt: iso('02:30') });
  });

  test('logs after a diff start from the diff\'s last LSN', () => {
    add('f', 'full', '01:00', 900, 1100, { checkpointLsn: L(1000) });
    add('l1', 'log', '02:00', 950, 2000);
    add('d', 'diff', '02:30', 2500, 2600, { differentialBaseLsn: L(1000) });
    add('l2', 'log', '03:00', 2000, 3000);
    add('l3', 'log', '04:00', 3000, 4000);
    expect(chain('03:30')).toEqual({ full: 'f', diff: 'd', logs: ['l2', 'l3'], stopAt: iso('03:30'), restoredTo: iso('03:30') });
  });

  test('a gap is 409 log_chain_broken with where it breaks and how far the chain reaches', () => {
    add('f', 'full', '01:00', 10, 20);
    add('l1', 'log', '02:00', 12, 30);
    add('l3', 'log', '04:00', 40, 50);
    const broken = refusal(() => chain('03:30'));
    expect(broken).toEqual({
      status: 409, code: 'log_chain_broken',
      message: `the log chain of Sales has a gap at LSN ${L(30)}: no log backup starts there, so the database cannot be rolled forward to 2026-11-01T03:30:00.000Z`,
      details: { lsn: L(30), restorableTo: iso('02:00') },
    });
    // A gap right after the base: it reaches the base's own time.
    cat.add({ ...base, database: 'Gappy', id: 'gf', type: 'full', time: '2026-11-01T01:00:00Z', firstLsn: L(10), lastLsn: L(20) });
    cat.add({ ...base, database: 'Gappy', id: 'gl', type: 'log', time: '2026-11-01T02:00:00Z', firstLsn: L(25), lastLsn: L(30) });
    expect(refusal(() => cat.restoreChain('Gappy', '2026-11-01T02:00:00Z')).details).toEqual({ lsn: L(20), restorableTo: iso('01:00') });
  });

  test('another log ending exactly where the chain ends is no gap', () => {
    add('f', 'full', '01:00', 10, 20);
    add('l1', 'log', '02:00', 15, 30);
    add('again', 'log', '02:00', 20, 30);
    expect(chain('05:00')).toMatchObject({ logs: ['l1'], stopAt: null, restoredTo: iso('02:00') });
  });
});
