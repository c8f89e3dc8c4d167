import { randomUUID } from 'node:crypto';
import type { VssWriterStatus } from '../../core/codecs/guest-api.ts';
import type { SqlBackupKind } from '../../core/codecs/sql-backup-stream.ts';

/** VSS_WRITER_STATE (vss.h) and the word vssadmin prints for each. */
export const WriterState = {
  STABLE: 1,
  WAITING_FOR_FREEZE: 2,
  WAITING_FOR_THAW: 3,
  WAITING_FOR_POST_SNAPSHOT: 4,
  WAITING_FOR_BACKUP_COMPLETE: 5,
  FAILED_AT_IDENTIFY: 6,
  FAILED_AT_PREPARE_BACKUP: 7,
  FAILED_AT_PREPARE_SNAPSHOT: 8,
  FAILED_AT_FREEZE: 9,
  FAILED_AT_THAW: 10,
  FAILED_AT_POST_SNAPSHOT: 11,
  FAILED_AT_BACKUP_COMPLETE: 12,
} as const;

function stateText(state: number): string {
  if (state === 1) return 'Stable';
  if (state === 2 || state === 3 || state === 4) return 'Waiting for ' + ['freeze', 'thaw', 'post snapshot'][state - 2];
  if (state === 5) return 'Waiting for completion';
  return state >= 6 ? 'Failed' : 'Unknown';
}

/** Writer errors (vswriter.h SetWriterFailure) with their HRESULTs and vssadmin's "Last error" text. */
export const WriterErrors = {
  nonretryable: { error: 'VSS_E_WRITERERROR_NONRETRYABLE', hresult: '0x800423F4', text: 'Non-retryable error' },
  retryable: { error: 'VSS_E_WRITERERROR_RETRYABLE', hresult: '0x800423F3', text: 'Retryable error' },
  timeout: { error: 'VSS_E_WRITERERROR_TIMEOUT', hresult: '0x800423F2', text: 'Timed out' },
  outofresources: { error: 'VSS_E_WRITERERROR_OUTOFRESOURCES', hresult: '0x800423F1', text: 'Out of resources' },
  inconsistentsnapshot: { error: 'VSS_E_WRITERERROR_INCONSISTENTSNAPSHOT', hresult: '0x800423F0', text: 'Inconsistent shadow copy' },
} as const;
export type WriterErrorName = keyof typeof WriterErrors;

export const SQL_WRITER = 'SqlServerWriter';

const WINDOWS_WRITERS: [string, string][] = [
  ['Task Scheduler Writer', 'd61d61c8-d73a-4eee-8cdd-f6f9786b7124'],
  ['VSS Metadata Store Writer', '75dfb225-e2e4-4d39-9ac9-ffaff65ddf06'],
  ['Performance Counters Writer', '0bada1de-01a9-4625-8278-69e735f39dd2'],
  ['System Writer', 'e8132975-6f93-4464-a53e-1050253ae220'],
  ['ASR Writer', 'be000cbe-11fe-4426-9c58-531aa6355fc4'],
  ['Registry Writer', 'afbab4a2-367d-4d15-a586-71dbb18f8485'],
  ['COM+ REGDB Writer', '542da469-d3e1-473c-9f4f-7847f01fc64f'],
  ['WMI Writer', 'a6ad56c2-b509-4e6c-bb19-49d8f43532f0'],
];
const SQL_WRITER_ID = 'a65faa63-5ea8-4ebc-9dbd-a0c4db26912a';

export class VssError extends Error {
  constructor(
    readonly writer: VssWriterStatus,
    readonly failure: (typeof WriterErrors)[WriterErrorName],
    message: string,
  ) {
    super(message);
  }
}

export interface Writer extends VssWriterStatus {
  fail(state: number, error: WriterErrorName): VssError;
  set(state: number): void;
}

function writer(name: string, id: string, instanceId: string): Writer {
  const w: Writer = {
    name,
    id: `{${id}}`,
    instanceId: `{${instanceId}}`,
    state: WriterState.STABLE,
    stateText: 'Stable',
    lastError: 'No error',
    set(state) {
      w.state = state;
      w.stateText = stateText(state);
      if (state === WriterState.STABLE) w.lastError = 'No error';
    },
    fail(state, error) {
      const e = WriterErrors[error];
      w.state = state;
      w.stateText = stateText(state);
      w.lastError = e.text;
      return new VssError({ ...w }, e, `${name} failed: State [${state}] ${w.stateText}, Last error: ${e.text} (${e.error} ${e.hresult})`);
    },
  };
  return w;
}

/** The Windows writers of one guest; SqlServerWriter only where SQL Server runs. Linux guests have none. */
export function guestWriters(windows: boolean, sql: boolean): Writer[] {
  if (!windows) return [];
  const list = WINDOWS_WRITERS.map(([n, id]) => writer(n, id, randomUUID()));
  if (sql) list.splice(2, 0, writer(SQL_WRITER, SQL_WRITER_ID, randomUUID()));
  return list;
}

/** Which VSS backup type a SQL backup kind maps to; SqlServerWriter has no log backup (those are native BACKUP LOG). */
export function vssBackupType(kind: SqlBackupKind): 'VSS_BT_FULL' | 'VSS_BT_DIFFERENTIAL' | 'VSS_BT_COPY' | undefined {
  return kind === 'full' ? 'VSS_BT_FULL' : kind === 'diff' ? 'VSS_BT_DIFFERENTIAL' : kind === 'copy-only' ? 'VSS_BT_COPY' : undefined;
}

/** The VSS phase a `vss-writer-failed` fault hits, and the state the writer then reports. */
export const FAIL_PHASES: Record<string, number> = {
  'prepare-backup': WriterState.FAILED_AT_PREPARE_BACKUP,
  'prepare-snapshot': WriterState.FAILED_AT_PREPARE_SNAPSHOT,
  freeze: WriterState.FAILED_AT_FREEZE,
  thaw: WriterState.FAILED_AT_THAW,
  'backup-complete': WriterState.FAILED_AT_BACKUP_COMPLETE,
};
