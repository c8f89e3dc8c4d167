import { randomUUID } from 'node:crypto';
import { encodeStream, lsnDisplay, LogOp, type BackupSetHeader, type PageRecord, type SqlBackupKind } from '../../core/codecs/sql-backup-stream.ts';
import type { Database } from './database.ts';
import type { SqlInstance } from './server.ts';
import { SqlError, sqlErrors, type Statement } from './errors.ts';

/**
 * A captured backup set: the stream bytes are fixed at capture (a VSS snapshot or BACKUP LOG
 * reading the log), the history effects (differential base, log truncation) apply only at
 * `commit()`, when the requester says the data is safe, as VSS BackupComplete does.
 */
export interface CapturedBackup {
  header: BackupSetHeader;
  chunks: Buffer[];
  bytes: number;
  sha256: string;
  /** VIRTUAL_DEVICE name SQL Server reports in its messages. */
  device: string;
  commit(): void;
}

function statementOf(type: SqlBackupKind): Statement {
  return type === 'log' ? 'BACKUP LOG' : 'BACKUP DATABASE';
}

/** BACKUP DATABASE / BACKUP LOG for one database; throws SqlError with SQL Server's numbers. */
export function captureBackup(inst: SqlInstance, db: Database, type: SqlBackupKind, method: 'vss' | 'native'): CapturedBackup {
  const stmt = statementOf(type);
  if (db.state !== 'ONLINE') {
    throw new SqlError([
      { number: 927, severity: 14, state: 2, message: `Database '${db.name}' cannot be opened. It is in the middle of a restore.` },
      { number: 3013, severity: 16, state: 1, message: `${stmt} is terminating abnormally.` },
    ]);
  }
  const start = new Date();
  let pages: PageRecord[] = [];
  let firstLsn: bigint;
  let checkpointLsn: bigint;
  const chain = db.chain;
  if (type === 'log') {
    if (db.recoveryModel === 'SIMPLE') throw sqlErrors.logInSimple();
    if (chain.logChainLsn === undefined) throw sqlErrors.noCurrentBackup();
    firstLsn = chain.logChainLsn;
    checkpointLsn = lastOf(db, LogOp.CHECKPOINT) ?? firstLsn;
    db.write(LogOp.BACKUP_MARK);
  } else {
    if (type === 'diff' && chain.diffBaseLsn === undefined) throw sqlErrors.noDiffBase(db.name);
    checkpointLsn = db.write(LogOp.CHECKPOINT).lsn;
    firstLsn = checkpointLsn;
    const ids = type === 'diff' ? db.pages.changedExtentsSince(chain.diffBaseLsn!) : [...Array(db.pages.count).keys()];
    pages = ids.map((pageId) => ({ pageId, image: db.pages.image(pageId) }));
    db.write(LogOp.BACKUP_MARK);
  }
  const lastLsn = db.clock.peek();
  const log = db.logBetween(firstLsn, lastLsn);
  const backupSetId = randomUUID();
  const header: BackupSetHeader = {
    format: 'bpsim-sql-backup/1',
    backupSetId,
    type,
    method,
    server: inst.server,
    instance: inst.name,
    database: db.name,
    familyGuid: db.familyGuid,
    recoveryModel: db.recoveryModel,
    firstLsn: firstLsn.toString(),
    lastLsn: lastLsn.toString(),
    checkpointLsn: checkpointLsn.toString(),
    databaseBackupLsn: (chain.diffBaseLsn ?? 0n).toString(),
    differentialBaseLsn: type === 'diff' ? chain.diffBaseLsn!.toString() : null,
    backupStartDate: start.toISOString(),
    backupFinishDate: new Date().toISOString(),
    pageCount: pages.length,
    logRecordCount: log.length,
    databaseChecksum: db.checksum(),
  };
  const enc = encodeStream(header, pages, log);
  const device = `{${backupSetId.toUpperCase()}}1`;
  return {
    header,
    ...enc,
    device,
    commit: () => {
      if (type === 'full') {
        chain.diffBaseLsn = checkpointLsn;
        if (db.recoveryModel !== 'SIMPLE' && chain.logChainLsn === undefined) chain.logChainLsn = firstLsn;
      }
      if (type === 'log') chain.logChainLsn = lastLsn;
      inst.errorLog.add('Backup', historyLine(header, device), type === 'log' ? 18265 : type === 'diff' ? 18270 : 18264);
    },
  };
}

function lastOf(db: Database, op: number): bigint | undefined {
  for (let i = db.log.length - 1; i >= 0; i--) if (db.log[i]!.op === op) return db.log[i]!.lsn;
  return undefined;
}

function historyLine(h: BackupSetHeader, device: string): string {
  const what = h.type === 'log' ? 'Log was backed up' : h.type === 'diff' ? 'Database differential changes were backed up' : 'Database backed up';
  const pages = h.type === 'log' ? '' : ` pages dumped: ${h.pageCount},`;
  return `${what}. Database: ${h.database}, creation date(time): ${h.backupStartDate.slice(0, 10)},${pages} first LSN: ${lsnDisplay(BigInt(h.firstLsn))}, last LSN: ${lsnDisplay(BigInt(h.lastLsn))}, number of dump devices: 1, device information: (FILE=1, TYPE=VIRTUAL_DEVICE: {'${device}'}). This is an informational message only. No user action is required.`;
}
