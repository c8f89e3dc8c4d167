import { randomUUID } from 'node:crypto';
import type { BackupSetStatus, ChecksumResult, InstanceInfo } from '../../core/codecs/guest-api.ts';
import type { SqlBackupKind } from '../../core/codecs/sql-backup-stream.ts';
import type { Fault } from '../../core/faults/registry.ts';
import { ApiError } from '../api-error.ts';
import type { SqlServerModel, SqlInstance } from '../sql/server.ts';
import { captureBackup, type CapturedBackup } from '../sql/backup.ts';
import { recover, restoreStream, type RestoreResult } from '../sql/restore.ts';
import { SqlError } from '../sql/errors.ts';
import { FAIL_PHASES, SQL_WRITER, VssError, vssBackupType, WriterErrors, WriterState, type WriterErrorName, type Writer } from './vss.ts';

export const FREEZE_LIMIT_MS = 60_000;

export interface PluginDeps {
  sql?: SqlServerModel;
  writers: Writer[];
  /** An active fault on this guest; `consume` (default) uses one of its uses. */
  fault(type: string, consume?: boolean): Fault | undefined;
}

interface VssSession {
  id: string;
  instance: SqlInstance;
  databases: string[];
  kind: SqlBackupKind;
  phase: 'prepared' | 'frozen' | 'snapshot' | 'thawed' | 'completed' | 'failed' | 'aborted';
  sets: CapturedBackup[];
  timer?: NodeJS.Timeout;
  /** Resolves when the freeze-to-thaw limit expires (the writer gives up). */
  expired?: Promise<VssError>;
  failure?: VssError;
  /** vss-freeze-timeout: the snapshot provider hangs until the writer times out. */
  hang?: boolean;
}

interface StoredSet {
  set: CapturedBackup;
  session?: string;
}

/**
 * PhoenixSQLGuestPlugin's work, without HTTP: VSS sessions (prepare, freeze, snapshot, thaw,
 * complete) against the guest's writers, native log backups, and restores into SQL Server.
 */
export class PluginService {
  private readonly sessions = new Map<string, VssSession>();
  private readonly sets = new Map<string, StoredSet>();
  private readonly restores = new Map<string, { instance: SqlInstance; database: string; replace: boolean }>();

  constructor(private readonly deps: PluginDeps) {}

  instance(name: string): SqlInstance {
    const inst = this.deps.sql?.instance(name);
    if (!inst) throw new ApiError(404, { code: 'instance-not-found', message: `no SQL Server instance ${name} on this guest` });
    return inst;
  }

  private sqlWriter(): Writer {
    const w = this.deps.writers.find((x) => x.name === SQL_WRITER);
    if (!w) throw new ApiError(501, { code: 'vss-unavailable', message: 'no SqlServerWriter on this guest (SQL Server VSS Writer service not installed)' });
    return w;
  }

  /** vss-writer-failed at `phase`: the writer reports the matching failed state. */
  private checkWriterFault(phase: string, session: VssSession): void {
    const peeked = this.deps.fault('vss-writer-failed', false);
    const at = String(peeked?.params.phase ?? 'prepare-snapshot');
    if (!peeked || at !== phase) return;
    const f = this.deps.fault('vss-writer-failed')!;
    const error = (String(f.params.error ?? 'nonretryable') as WriterErrorName) in WriterErrors ? (String(f.params.error ?? 'nonretryable') as WriterErrorName) : 'nonretryable';
    const err = this.sqlWriter().fail(FAIL_PHASES[at] ?? WriterState.FAILED_AT_PREPARE_SNAPSHOT, error);
    this.endSession(session, 'failed', err);
    throw err;
  }

  createSession(instanceName: string, databases: string[], kind: SqlBackupKind): { sessionId: string; backupType: string } {
    const type = vssBackupType(kind);
    if (!type) throw new ApiError(400, { code: 'vss-log-unsupported', message: 'SqlServerWriter does not take log backups (VSS_BT_LOG); log backups use the native BACKUP LOG path' });
    const w = this.sqlWriter();
    const instance = this.instance(instanceName);
    for (const d of databases) if (!instance.database(d)) throw new ApiError(404, { code: 'database-not-found', message: `no database ${d} in ${instanceName}` });
    const busy = [...this.sessions.values()].find((s) => s.phase !== 'completed' && s.phase !== 'failed' && s.phase !== 'aborted');
    if (busy) throw new ApiError(409, { code: 'vss-busy', message: `another shadow copy session (${busy.id}) is in progress (VSS_E_SNAPSHOT_SET_IN_PROGRESS)` });
    for (const x of this.deps.writers) x.set(WriterState.STABLE);
    const session: VssSession = { id: randomUUID(), instance, databases, kind, phase: 'prepared', sets: [] };
    this.sessions.set(session.id, session);
    this.checkWriterFault('prepare-backup', session);
    void w;
    return { sessionId: session.id, backupType: type };
  }

  private session(id: string): VssSession {
    const s = this.sessions.get(id);
    if (!s) throw new ApiError(404, { code: 'session-not-found', message: `no VSS session ${id}` });
    if (s.failure) throw s.failure;
    return s;
  }

  private expect(s: VssSession, phase: VssSession['phase'], step: string): void {
    if (s.phase !== phase) throw new ApiError(409, { code: 'vss-bad-state', message: `cannot ${step} a session in phase ${s.phase} (VSS_E_BAD_STATE)` });
  }

  freeze(id: string): void {
    const s = this.session(id);
    this.expect(s, 'prepared', 'freeze');
    this.checkWriterFault('prepare-snapshot', s);
    this.checkWriterFault('freeze', s);
    const timeout = this.deps.fault('vss-freeze-timeout');
    const limitMs = timeout?.params.limitSeconds !== undefined ? Number(timeout.params.limitSeconds) * 1000 : FREEZE_LIMIT_MS;
    s.hang = !!timeout;
    for (const d of s.databases) s.instance.errorLog.add('spid61', `I/O is frozen on database ${d}. No user action is required. However, if I/O is not resumed promptly, you could cancel the backup.`, 3197);
    s.phase = 'frozen';
    this.sqlWriter().set(WriterState.WAITING_FOR_THAW);
    s.expired = new Promise((resolve) => {
      s.timer = setTimeout(() => {
        const err = this.sqlWriter().fail(WriterState.FAILED_AT_FREEZE, 'timeout');
        for (const d of s.databases) s.instance.errorLog.add('Backup', `BACKUP failed to complete the command BACKUP DATABASE ${d}. Check the backup application log for detailed messages.`, 3041);
        this.endSession(s, 'failed', err);
        resolve(err);
      }, limitMs);
      s.timer.unref();
    });
  }

  async snapshot(id: string): Promise<BackupSetStatus[]> {
    const s = this.session(id);
    this.expect(s, 'frozen', 'snapshot');
    if (s.hang) throw await s.expired!;
    s.phase = 'snapshot';
    try {
      s.sets = s.databases.map((d) => captureBackup(s.instance, s.instance.database(d)!, s.kind, 'vss'));
    } catch (err) {
      if (err instanceof SqlError) for (const d of s.databases) s.instance.errorLog.add('Backup', `BACKUP failed to complete the command BACKUP DATABASE ${d}. Check the backup application log for detailed messages.`, 3041);
      this.endSession(s, 'failed');
      throw err;
    }
    for (const set of s.sets) this.sets.set(set.header.backupSetId, { set, session: s.id });
    return s.sets.map(status);
  }

  thaw(id: string): void {
    const s = this.session(id);
    this.expect(s, 'snapshot', 'thaw');
    this.checkWriterFault('thaw', s);
    clearTimeout(s.timer);
    this.resume(s);
    s.phase = 'thawed';
    this.sqlWriter().set(WriterState.WAITING_FOR_BACKUP_COMPLETE);
  }

  complete(id: string): void {
    const s = this.session(id);
    this.expect(s, 'thawed', 'complete');
    this.checkWriterFault('backup-complete', s);
    for (const set of s.sets) set.commit();
    this.endSession(s, 'completed');
  }

  abort(id: string): void {
    const s = this.sessions.get(id);
    if (!s) throw new ApiError(404, { code: 'session-not-found', message: `no VSS session ${id}` });
    if (s.phase === 'completed' || s.phase === 'aborted') return;
    this.endSession(s, s.failure ? 'failed' : 'aborted', s.failure);
  }

  private resume(s: VssSession): void {
    for (const d of s.databases) s.instance.errorLog.add('spid61', `I/O was resumed on database ${d}. No user action is required.`, 3198);
  }

  private endSession(s: VssSession, phase: 'completed' | 'failed' | 'aborted', failure?: VssError): void {
    clearTimeout(s.timer);
    if (s.phase === 'frozen' || s.phase === 'snapshot') this.resume(s);
    s.phase = phase;
    s.failure = failure;
    // The snapshot's data lives until the session ends, whatever the outcome.
    for (const set of s.sets) this.sets.delete(set.header.backupSetId);
    if (!failure) for (const w of this.deps.writers) w.set(WriterState.STABLE);
  }

  /** Native BACKUP LOG (the only log path: SqlServerWriter has none). */
  logBackup(instanceName: string, database: string): BackupSetStatus {
    const instance = this.instance(instanceName);
    const db = instance.database(database);
    if (!db) throw new ApiError(404, { code: 'database-not-found', message: `no database ${database} in ${instanceName}` });
    const chain = this.deps.fault('broken-log-chain');
    if (chain) breakChain(instance, db, String(chain.params.mode ?? 'foreign-log-backup'));
    try {
      const set = captureBackup(instance, db, 'log', 'native');
      this.sets.set(set.header.backupSetId, { set });
      return status(set);
    } catch (err) {
      instance.errorLog.add('Backup', `BACKUP failed to complete the command BACKUP LOG ${database}. Check the backup application log for detailed messages.`, 3041);
      throw err;
    }
  }

  stream(setId: string): CapturedBackup {
    const s = this.sets.get(setId);
    if (!s) throw new SqlError([
      { number: 3201, severity: 16, state: 7, message: `Cannot open backup device '{${setId.toUpperCase()}}1'. Operating system error 2(The system cannot find the file specified.).` },
      { number: 3013, severity: 16, state: 1, message: 'BACKUP DATABASE is terminating abnormally.' },
    ]);
    return s.set;
  }

  /** Native backup sets are committed (log truncated) once the requester has the data. */
  completeSet(setId: string): void {
    const s = this.sets.get(setId);
    if (!s) throw new ApiError(404, { code: 'backup-set-not-found', message: `no backup set ${setId}` });
    if (s.session) throw new ApiError(409, { code: 'vss-backup-set', message: 'VSS backup sets complete with their session' });
    s.set.commit();
    this.sets.delete(setId);
  }

  dropSet(setId: string): void {
    this.sets.delete(setId);
  }

  createRestore(instanceName: string, database: string, replace: boolean): string {
    const instance = this.instance(instanceName);
    if (!database || !/^[\w.-]{1,128}$/.test(database)) throw new ApiError(400, { code: 'bad-request', message: `invalid database name "${database}"` });
    const id = randomUUID();
    this.restores.set(id, { instance, database, replace });
    return id;
  }

  applyRestore(id: string, data: Buffer, opts: { recovery: boolean; stopAt?: Date }): RestoreResult {
    const r = this.restores.get(id);
    if (!r) throw new ApiError(404, { code: 'restore-not-found', message: `no restore ${id}` });
    return restoreStream(r.instance, r.database, data, { ...opts, replace: r.replace });
  }

  recoverRestore(id: string): 'ONLINE' | 'RESTORING' {
    const r = this.restores.get(id);
    if (!r) throw new ApiError(404, { code: 'restore-not-found', message: `no restore ${id}` });
    const db = r.instance.database(r.database);
    if (!db) throw new ApiError(409, { code: 'nothing-restored', message: `database ${r.database} has not been restored yet` });
    recover(r.instance, db);
    return db.state;
  }

  instances(): InstanceInfo[] {
    return [...(this.deps.sql?.instances.values() ?? [])].map((i) => i.info());
  }

  checksum(instanceName: string, database: string, lsn?: string): ChecksumResult {
    const db = this.instance(instanceName).database(database);
    if (!db) throw new ApiError(404, { code: 'database-not-found', message: `no database ${database} in ${instanceName}` });
    if (lsn !== undefined && !/^\d{1,30}$/.test(lsn)) throw new ApiError(400, { code: 'bad-request', message: `invalid LSN "${lsn}"` });
    const at = lsn === undefined ? undefined : BigInt(lsn);
    const last = db.log[db.log.length - 1]?.lsn ?? db.createdLsn;
    return { instance: instanceName, database: db.name, lsn: (at ?? last).toString(), checksum: db.checksum(at), pageCount: db.pages.count };
  }

  stop(): void {
    for (const s of this.sessions.values()) if (s.phase !== 'completed' && s.phase !== 'failed' && s.phase !== 'aborted') this.endSession(s, 'aborted');
  }
}

function status(set: CapturedBackup): BackupSetStatus {
  return { ...set.header, streamBytes: set.bytes, streamSha256: set.sha256, streamed: false };
}

/**
 * broken-log-chain: something outside the backup product breaks the chain before our log backup.
 * foreign-log-backup: another tool takes a log backup we never see (our next log starts later: 4305 on restore);
 * recovery-model-switch: someone switches to SIMPLE and back (our next log backup gets 4214).
 */
function breakChain(inst: SqlInstance, db: import('../sql/database.ts').Database, mode: string): void {
  if (mode === 'recovery-model-switch') {
    const model = db.recoveryModel;
    db.setRecoveryModel('SIMPLE');
    db.setRecoveryModel(model);
    inst.errorLog.add('spid72', `Setting database option RECOVERY to SIMPLE for database '${db.name}'.`);
    inst.errorLog.add('spid72', `Setting database option RECOVERY to ${model} for database '${db.name}'.`);
    return;
  }
  db.runTransactions(1);
  try {
    const foreign = captureBackup(inst, db, 'log', 'native');
    foreign.commit();
    inst.errorLog.add('Backup', `Log was backed up by another application to 'NUL'. Database: ${db.name}. This log backup is not part of the product's chain.`, 18265);
  } catch {
    // No chain to break (SIMPLE or no full yet): the log backup that follows reports why.
  }
}
