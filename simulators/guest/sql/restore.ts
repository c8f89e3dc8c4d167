import { decodeStream, lsnDisplay, LogOp, PAGE_SIZE, StreamFormatError, type DecodedStream, type LogRecord } from '../../core/codecs/sql-backup-stream.ts';
import type { SqlMessage } from '../../core/codecs/guest-api.ts';
import { Database } from './database.ts';
import type { SqlInstance } from './server.ts';
import { info, sqlErrors, type Statement } from './errors.ts';

export interface RestoreOptions {
  /** WITH RECOVERY (bring online) or NORECOVERY (leave RESTORING for more backups). */
  recovery: boolean;
  /** WITH STOPAT: the latest commit at or before this time. */
  stopAt?: Date;
  /** WITH REPLACE. */
  replace?: boolean;
}

export interface RestoreResult {
  type: DecodedStream['header']['type'];
  backupSetId: string;
  restoredLsn: bigint;
  state: 'ONLINE' | 'RESTORING';
  messages: SqlMessage[];
}

/** Restore state kept on the target database while it is RESTORING. */
interface Rolling {
  restoredLsn: bigint;
  baseCheckpointLsn: bigint;
  restoredTimeMs: number;
}

const rolling = new WeakMap<Database, Rolling>();

/**
 * RESTORE DATABASE / RESTORE LOG of one backup stream into `target` on `inst`, with SQL Server's
 * checks of the chain (LSNs, differential base, state, tail of the log).
 */
export function restoreStream(inst: SqlInstance, target: string, data: Buffer, opts: RestoreOptions): RestoreResult {
  const guessStmt: Statement = 'RESTORE DATABASE';
  if (data.length === 0) throw sqlErrors.cannotOpenDevice(guessStmt, 'VIRTUAL_DEVICE', '38(Reached the end of the file.)');
  let s: DecodedStream;
  try {
    s = decodeStream(data);
  } catch (err) {
    if (err instanceof StreamFormatError && err.kind === 'checksum') throw sqlErrors.damagedBackup(guessStmt);
    throw sqlErrors.malformedMedia(guessStmt, 'VIRTUAL_DEVICE');
  }
  const h = s.header;
  const stopAtMs = opts.stopAt?.getTime();
  let db = inst.database(target);
  const t0 = Date.now();

  if (h.type === 'full' || h.type === 'copy-only') {
    if (db && !opts.replace) {
      if (db.familyGuid !== h.familyGuid) throw sqlErrors.otherDatabase(db.name);
      if (db.state === 'ONLINE' && db.hasUnbackedTail() && stopAtMs === undefined) throw sqlErrors.tailNotBackedUp(db.name);
    }
    if (stopAtMs !== undefined && Date.parse(h.backupStartDate) > stopAtMs) throw sqlErrors.stopAtTooEarly('RESTORE DATABASE');
    const pageCount = Math.max(...s.pages.map((p) => p.pageId + 1), 0);
    db = new Database(target, h.recoveryModel, Math.max(1, Math.round((pageCount * 8 * 8) / 1024)), `${inst.seed}:restored:${target}:${h.backupSetId}`, h.familyGuid, pageCount);
    for (const p of s.pages) db.pages.replace(p.pageId, p.image, BigInt(h.checkpointLsn));
    db.log.push(...s.log);
    db.state = 'RESTORING';
    inst.put(db);
    rolling.set(db, { restoredLsn: BigInt(h.lastLsn), baseCheckpointLsn: BigInt(h.checkpointLsn), restoredTimeMs: Date.parse(h.backupFinishDate) });
    inst.errorLog.add('Backup', restoredLine('Database was restored', h, target), 18267);
  } else {
    const stmt: Statement = h.type === 'log' ? 'RESTORE LOG' : 'RESTORE DATABASE';
    const r = db && db.state === 'RESTORING' ? rolling.get(db) : undefined;
    if (!db || !r) throw sqlErrors.notReadyToRollForward(stmt);
    if (h.type === 'diff') {
      if (db.familyGuid !== h.familyGuid || h.differentialBaseLsn !== r.baseCheckpointLsn.toString() || BigInt(h.lastLsn) < r.restoredLsn) throw sqlErrors.wrongDiffBase();
      if (stopAtMs !== undefined && Date.parse(h.backupStartDate) > stopAtMs) throw sqlErrors.stopAtTooEarly('RESTORE DATABASE');
      for (const p of s.pages) db.pages.replace(p.pageId, p.image, BigInt(h.checkpointLsn));
      db.log.push(...s.log);
      r.restoredLsn = BigInt(h.lastLsn);
      r.restoredTimeMs = Date.parse(h.backupFinishDate);
      inst.errorLog.add('Backup', restoredLine('Database changes were restored', h, target), 18268);
    } else {
      const first = BigInt(h.firstLsn);
      const last = BigInt(h.lastLsn);
      if (db.familyGuid !== h.familyGuid || first > r.restoredLsn) throw sqlErrors.tooRecent(h.firstLsn, r.restoredLsn.toString());
      if (last <= r.restoredLsn) throw sqlErrors.tooEarly(h.lastLsn, r.restoredLsn.toString());
      if (stopAtMs !== undefined && r.restoredTimeMs > stopAtMs) throw sqlErrors.rolledPastStopAt();
      const stopped = rollForward(db, s.log, r, stopAtMs);
      if (!stopped) r.restoredLsn = last;
      inst.errorLog.add('Backup', restoredLine('Log was restored', h, target), 18269);
    }
  }
  const r = rolling.get(db)!;
  const pages = s.pages.length;
  const messages: SqlMessage[] = [];
  if (pages) messages.push(info.processedPages(pages, target, target));
  if (s.log.length) messages.push(info.processedPages(Math.max(1, Math.ceil((s.log.length * 64) / PAGE_SIZE)), target, `${target}_log`));
  messages.push(info.success(h.type === 'log' ? 'RESTORE LOG' : 'RESTORE DATABASE', pages + 1, (Date.now() - t0) / 1000));
  if (opts.recovery) recover(inst, db);
  return { type: h.type, backupSetId: h.backupSetId, restoredLsn: r.restoredLsn, state: db.state, messages };
}

/** Applies committed transactions from `log` past the restored point, stopping after the last commit <= stopAt. */
function rollForward(db: Database, log: LogRecord[], r: Rolling, stopAtMs: number | undefined): boolean {
  const pending = new Map<number, LogRecord[]>();
  for (const rec of log) {
    if (rec.lsn < r.restoredLsn) continue;
    if (rec.op === LogOp.BEGIN_XACT) pending.set(rec.xact, [rec]);
    else if (rec.op === LogOp.MODIFY_ROW) pending.get(rec.xact)?.push(rec);
    else if (rec.op === LogOp.COMMIT_XACT) {
      if (stopAtMs !== undefined && rec.timeMs > stopAtMs) {
        // Stopped: restoredLsn stays one past the last applied commit, the same "next LSN" form as
        // last_lsn, so checksum(restoredLsn) of the source describes the restored state.
        return true;
      }
      for (const m of pending.get(rec.xact) ?? []) {
        db.log.push(m);
        if (m.op === LogOp.MODIFY_ROW) db.pages.modify(m.pageId, { lsn: m.lsn, offset: m.offset, data: m.data });
      }
      db.log.push(rec);
      pending.delete(rec.xact);
      r.restoredLsn = rec.lsn + 1n;
      r.restoredTimeMs = rec.timeMs;
    } else db.log.push(rec);
  }
  return false;
}

/** RESTORE DATABASE x WITH RECOVERY: online, new LSNs continue after the restored point, a new backup chain is needed. */
export function recover(inst: SqlInstance, db: Database): void {
  const r = rolling.get(db);
  if (db.state !== 'RESTORING' || !r) return;
  db.state = 'ONLINE';
  db.chain = {};
  db.clock.resumeAt(r.restoredLsn);
  rolling.delete(db);
  inst.errorLog.add('spid51', `Recovery completed for database ${db.name} (database ID 7) in 1 second(s). This is an informational message only. No user action is required.`);
}

export function restoredLsnOf(db: Database): bigint | undefined {
  return rolling.get(db)?.restoredLsn;
}

function restoredLine(what: string, h: DecodedStream['header'], target: string): string {
  return `${what}: Database: ${target}, creation date(time): ${h.backupStartDate.slice(0, 10)}, first LSN: ${lsnDisplay(BigInt(h.firstLsn))}, last LSN: ${lsnDisplay(BigInt(h.lastLsn))}, number of dump devices: 1, device information: (FILE=1, TYPE=VIRTUAL_DEVICE: {'{${h.backupSetId.toUpperCase()}}1'}). Informational message. No user action required.`;
}
