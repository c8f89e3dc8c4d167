import { sha256Hex } from './sha256.ts';
export { sha256Hex };

/**
 * The wire shapes of the backup cloud / CloudCache REST API (docs/cloud-api.md), shared by the
 * simulators and the proxy's client. LSNs travel as decimal strings: SQL Server LSNs are
 * numeric(25,0) and do not fit a JS number.
 */

export const API_PREFIX = '/api/v1';
/** Largest block a PUT accepts (larger -> 413). */
export const MAX_BLOCK_BYTES = 4 * 1024 * 1024;
/** Most hashes one missing-check may name (more -> 413). */
export const MAX_MISSING_BATCH = 10_000;
/** Largest JSON body (manifests, catalog entries) accepted (larger -> 413). */
export const MAX_JSON_BYTES = 16 * 1024 * 1024;

export interface ApiErrorBody {
  code: string;
  message: string;
  details?: Record<string, unknown>;
}


export function isBlockHash(s: unknown): s is string {
  return typeof s === 'string' && /^[0-9a-f]{64}$/.test(s);
}

export function isLsn(s: unknown): boolean {
  return (typeof s === 'string' && /^\d{1,40}$/.test(s)) || (typeof s === 'number' && Number.isSafeInteger(s) && s >= 0);
}

export function lsn(s: string | number): bigint {
  return BigInt(s);
}

export interface ActivationResult {
  proxyId: string;
  proxyName: string;
  /** Bearer token for every later call, to the cloud and to CloudCache. */
  token: string;
  tokenType: 'Bearer';
}

export type JobState = 'queued' | 'running' | 'succeeded' | 'failed';

export interface Job {
  id: string;
  /** "backup", "restore", "sql-backup"...: the proxy decides what to run from type + params. */
  type: string;
  params: Record<string, unknown>;
  /** Only this proxy may claim it (optional). */
  targetProxy?: string;
  state: JobState;
  proxyId?: string;
  proxyName?: string;
  progress: { percent: number; message?: string };
  result?: Record<string, unknown>;
  error?: { code?: string; message: string };
  createdAt: string;
  claimedAt?: string;
  finishedAt?: string;
  /** While running: the claim holds until then; heartbeats and progress of the claiming proxy renew it. */
  leaseExpiresAt?: string;
  /** Length of the lease the claiming proxy must keep renewing (seconds). */
  leaseSeconds?: number;
  /** Proxies whose lease on this job expired before they reported a result, oldest first. */
  expiredLeases?: { proxyName?: string; at: string }[];
}

export interface JobRequest {
  type: string;
  params?: Record<string, unknown>;
  targetProxy?: string;
}

export interface ManifestExtent {
  /** Byte offset in the disk. */
  offset: number;
  length: number;
  hash: string;
}

export interface ManifestDisk {
  key: number;
  label?: string;
  capacityBytes: number;
  changeId?: string;
  extents: ManifestExtent[];
  [k: string]: unknown;
}

export interface SnapshotManifest {
  /** Assigned by the cloud when absent. */
  id?: string;
  vm: { id: string; name?: string; [k: string]: unknown };
  createdAt?: string;
  /** Backup kind: full / incremental. */
  kind?: string;
  disks: ManifestDisk[];
  /** RDP/SSH probe results recorded at backup time. */
  probes?: Record<string, unknown>;
  /** Application metadata (SQL instances and databases...). */
  application?: Record<string, unknown>;
  [k: string]: unknown;
}

export type SqlBackupType = 'full' | 'diff' | 'log' | 'copy-only';

export interface SqlBackupEntry {
  id?: string;
  database: string;
  instance: string;
  /** VM or host the database lives on (free text). */
  server?: string;
  type: SqlBackupType;
  firstLsn: string;
  lastLsn: string;
  databaseBackupLsn?: string;
  differentialBaseLsn?: string;
  checkpointLsn?: string;
  /** ISO-8601 time the backup finished. */
  time: string;
  /** Block hashes of the backup stream, in order. */
  blocks: string[];
  [k: string]: unknown;
}

export interface RestoreChain {
  database: string;
  instance: string;
  /** The time asked for. */
  time: string;
  full: SqlBackupEntry;
  diff?: SqlBackupEntry;
  logs: SqlBackupEntry[];
  /** STOPAT for the last log, when the time falls inside it; null when the chain ends before it. */
  stopAt: string | null;
  /** Latest time the chain reaches. */
  restoredTo: string;
}

export interface BlockPutResult {
  hash: string;
  size: number;
  /** false when the block was already stored (deduplicated). */
  stored: boolean;
}

export interface CacheStatus {
  pendingBlocks: number;
  pendingBytes: number;
  storedBlocks: number;
  storedBytes: number;
  syncedBlocks: number;
  syncedBytes: number;
  lastSyncAt: string | null;
  lastError: string | null;
  window: { open: boolean; start: string | null; end: string | null };
  bandwidthBytesPerSecond: number | null;
  stalled: boolean;
}
