import type { BackupSetHeader, RecoveryModel, SqlBackupKind } from './sql-backup-stream.ts';

/**
 * The guestossvc HTTPS API (port 3542) as the proxy sees it; docs/guest.md shows real exchanges.
 * Every call carries `Authorization: Bearer <token>` (the token file uploaded at injection).
 * Errors: HTTP status + { code, message, sqlErrors?, vss? }.
 */
export const GUESTOSSVC_PORT = 3542;
export const PLUGIN_PORT = 3545;
export const GUEST_API = '/api/v1';

export interface SqlMessage {
  /** SQL Server error number (4305, 3013...). */
  number: number;
  severity: number;
  state: number;
  message: string;
}

export interface VssWriterStatus {
  name: string;
  id: string;
  instanceId: string;
  /** VSS_WRITER_STATE value and the text vssadmin prints: [1] Stable, [8] Failed... */
  state: number;
  stateText: string;
  lastError: string;
}

export interface GuestApiError {
  code: string;
  message: string;
  sqlErrors?: SqlMessage[];
  vss?: { writer: string; state: number; stateText: string; hresult: string; error: string };
}

export interface DatabaseInfo {
  name: string;
  recoveryModel: RecoveryModel;
  state: 'ONLINE' | 'RESTORING';
  sizeMb: number;
  pageCount: number;
  familyGuid: string;
  lastLsn: string;
  /** Whether a log backup would chain (a full exists since the last chain break). */
  logChain: boolean;
}

export interface InstanceInfo {
  name: string;
  version: string;
  edition: string;
  databases: DatabaseInfo[];
}

export interface BackupRequest {
  instance: string;
  databases: string[];
  type: SqlBackupKind;
}

export interface BackupSetStatus extends BackupSetHeader {
  streamBytes: number;
  streamSha256: string;
  /** The proxy read this stream to its end at least once. */
  streamed: boolean;
}

export type OperationState = 'running' | 'ready' | 'completed' | 'failed' | 'aborted';

export interface RestoreStep {
  backupSetId: string;
  type: SqlBackupKind;
  recovery: boolean;
  stopAt: string | null;
  /** LSN the database is rolled forward to after this step. */
  restoredLsn: string;
  messages: SqlMessage[];
}

export interface OperationStatus {
  id: string;
  kind: 'backup' | 'restore';
  state: OperationState;
  /** prepare, freeze, snapshot, thaw, streaming, restoring, recovered... */
  phase: string;
  instance: string;
  databases: string[];
  type?: SqlBackupKind;
  createdAt: string;
  updatedAt: string;
  backupSets: BackupSetStatus[];
  steps: RestoreStep[];
  /** Target database state for a restore. */
  databaseState?: 'RESTORING' | 'ONLINE';
  error?: GuestApiError;
}

export interface RestoreRequest {
  instance: string;
  /** Target database name (an alternate name restores beside the source). */
  database: string;
  /** WITH REPLACE: overwrite an existing database even if its log tail was not backed up. */
  replace?: boolean;
}

export interface ChecksumResult {
  instance: string;
  database: string;
  lsn: string;
  checksum: string;
  pageCount: number;
}
