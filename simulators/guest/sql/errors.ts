import type { SqlMessage } from '../../core/codecs/guest-api.ts';

/**
 * SQL Server's own error numbers and texts for the backup/restore paths the model implements. A
 * failing statement raises its specific error followed by 3013 ("... is terminating abnormally"),
 * as SQL Server does.
 */
export type Statement = 'BACKUP DATABASE' | 'BACKUP LOG' | 'RESTORE DATABASE' | 'RESTORE LOG';

export class SqlError extends Error {
  constructor(readonly messages: SqlMessage[]) {
    super(messages.map((m) => `Msg ${m.number}: ${m.message}`).join(' '));
  }

  get number(): number {
    return this.messages[0]!.number;
  }
}

const msg = (number: number, message: string, state = 1, severity = 16): SqlMessage => ({ number, severity, state, message });

export const terminating = (stmt: Statement): SqlMessage => msg(3013, `${stmt} is terminating abnormally.`);

function fail(stmt: Statement, first: SqlMessage): SqlError {
  return new SqlError([first, terminating(stmt)]);
}

export const sqlErrors = {
  tooRecent: (first: string, need: string) =>
    fail('RESTORE LOG', msg(4305, `The log in this backup set begins at LSN ${first}, which is too recent to apply to the database. An earlier log backup that includes LSN ${need} can be restored.`)),
  tooEarly: (last: string, need: string) =>
    fail('RESTORE LOG', msg(4326, `The log in this backup set terminates at LSN ${last}, which is too early to apply to the database. A more recent log backup that includes LSN ${need} can be restored.`)),
  noCurrentBackup: () => fail('BACKUP LOG', msg(4214, 'BACKUP LOG cannot be performed because there is no current database backup.')),
  logInSimple: () =>
    fail('BACKUP LOG', msg(4208, 'The statement BACKUP LOG is not allowed while the recovery model is SIMPLE. Use BACKUP DATABASE or change the recovery model using ALTER DATABASE.')),
  noDiffBase: (db: string) =>
    fail('BACKUP DATABASE', msg(3035, `Cannot perform a differential backup for database "${db}", because a current database backup does not exist. Perform a full database backup by reissuing BACKUP DATABASE, omitting the WITH DIFFERENTIAL option.`)),
  notReadyToRollForward: (stmt: Statement) => fail(stmt, msg(3117, 'The log or differential backup cannot be restored because no files are ready to rollforward.', 4)),
  wrongDiffBase: () => fail('RESTORE DATABASE', msg(3136, 'This differential backup cannot be restored because the database has not been restored to the correct earlier state.')),
  tailNotBackedUp: (db: string) =>
    fail('RESTORE DATABASE', msg(3159, `The tail of the log for the database "${db}" has not been backed up. Use BACKUP LOG WITH NORECOVERY to backup the log if it contains work you do not want to lose. Use the WITH REPLACE or WITH STOPAT clause of the RESTORE statement to just overwrite the contents of the log.`)),
  otherDatabase: (db: string) => fail('RESTORE DATABASE', msg(3154, `The backup set holds a backup of a database other than the existing '${db}' database.`)),
  cannotOpenDevice: (stmt: Statement, device: string, os: string) => fail(stmt, msg(3201, `Cannot open backup device '${device}'. Operating system error ${os}.`, 7)),
  malformedMedia: (stmt: Statement, device: string) => fail(stmt, msg(3241, `The media family on device '${device}' is incorrectly formed. SQL Server cannot process this media family.`)),
  damagedBackup: (stmt: Statement) => fail(stmt, msg(3189, 'Damage to the backup set was detected.')),
  stopAtTooEarly: (stmt: Statement) =>
    fail(stmt, msg(4338, 'The STOPAT clause specifies a point too early to allow this backup set to be restored. Choose a different stop point or use RESTORE DATABASE WITH RECOVERY to recover at the current point.')),
  rolledPastStopAt: () => fail('RESTORE LOG', msg(4335, 'The specified STOPAT time is too early. All or part of the database is already rolled forward beyond that point.')),
  writerFailed: (stmt: Statement, db: string, reason: string) =>
    fail(stmt, msg(3041, `BACKUP failed to complete the command ${stmt} ${db}. Check the backup application log for detailed messages. (${reason})`)),
};

export const info = {
  processedPages: (pages: number, db: string, file: string) => msg(4035, `Processed ${pages} pages for database '${db}', file '${file}' on file 1.`, 1, 10),
  success: (stmt: Statement, pages: number, seconds: number) =>
    msg(3014, `${stmt} successfully processed ${pages} pages in ${seconds.toFixed(3)} seconds (${((pages * 8) / 1024 / Math.max(seconds, 0.001)).toFixed(3)} MB/sec).`, 1, 10),
};
