import { randomUUID } from 'node:crypto';
import { isBlockHash, isLsn, lsn, type RestoreChain, type SqlBackupEntry } from '../core/codecs/cloud-api.ts';
import { ApiError } from './http-api.ts';
import type { Db } from './metadata-db.ts';

const TYPES = ['full', 'diff', 'log', 'copy-only'] as const;
const LSN_FIELDS = ['firstLsn', 'lastLsn', 'databaseBackupLsn', 'differentialBaseLsn', 'checkpointLsn'] as const;

function normalize(input: Record<string, unknown>): SqlBackupEntry {
  for (const f of ['database', 'instance', 'time'] as const) {
    if (typeof input[f] !== 'string' || !input[f]) throw new ApiError(400, 'invalid_backup', `"${f}" must be a non-empty string`);
  }
  if (!TYPES.includes(input.type as never)) throw new ApiError(400, 'invalid_backup', `"type" must be one of ${TYPES.join(', ')}`);
  if (Number.isNaN(Date.parse(input.time as string))) throw new ApiError(400, 'invalid_backup', '"time" must be an ISO-8601 time');
  const entry = { ...input, time: new Date(input.time as string).toISOString() } as Record<string, unknown>;
  for (const f of LSN_FIELDS) {
    const v = input[f];
    const required = f === 'firstLsn' || f === 'lastLsn';
    if (v === undefined || v === null) {
      if (required) throw new ApiError(400, 'invalid_backup', `"${f}" is required`);
      continue;
    }
    if (!isLsn(v)) throw new ApiError(400, 'invalid_backup', `"${f}" must be a decimal LSN (string or safe integer), got ${JSON.stringify(v)}`);
    entry[f] = String(v);
  }
  if (lsn(entry.lastLsn as string) < lsn(entry.firstLsn as string)) throw new ApiError(400, 'invalid_backup', '"lastLsn" is lower than "firstLsn"');
  if (input.type === 'diff' && entry.differentialBaseLsn === undefined) throw new ApiError(400, 'invalid_backup', 'a diff backup needs "differentialBaseLsn"');
  if (!Array.isArray(input.blocks) || !input.blocks.every(isBlockHash)) throw new ApiError(400, 'invalid_backup', '"blocks" must be an array of SHA-256 hex hashes');
  if (input.id !== undefined && (typeof input.id !== 'string' || !/^[\w.:-]{1,128}$/.test(input.id))) throw new ApiError(400, 'invalid_backup', '"id" must be 1-128 characters of [A-Za-z0-9_.:-]');
  return entry as SqlBackupEntry;
}

/**
 * The SQL backup catalog and its restore-chain query, following SQL Server's rules: a differential
 * belongs to the full whose checkpoint_lsn is its differential_base_lsn (copy-only fulls are never
 * a base), log backups must be contiguous (each first_lsn equals the previous last_lsn) starting
 * with the one that contains the base's last_lsn.
 */
export class SqlCatalog {
  constructor(private readonly db: Db) {}

  add(input: Record<string, unknown>): SqlBackupEntry {
    const e = normalize(input);
    e.id = e.id ?? `sqlbk-${randomUUID().slice(0, 12)}`;
    if (this.get(e.id)) throw new ApiError(409, 'conflict', `catalog entry ${e.id} already exists`);
    this.db.prepare('INSERT INTO sql_backups (id, database_name, instance, type, time, body) VALUES (?, ?, ?, ?, ?, ?)').run(e.id, e.database, e.instance, e.type, e.time, JSON.stringify(e));
    return e;
  }

  get(id: string): SqlBackupEntry | undefined {
    const row = this.db.prepare('SELECT body FROM sql_backups WHERE id = ?').get(id) as { body: string } | undefined;
    return row ? (JSON.parse(row.body) as SqlBackupEntry) : undefined;
  }

  /** Entries ordered by time (then insertion), filtered by any of database / instance / type. */
  query(q: { database?: string; instance?: string; type?: string }): SqlBackupEntry[] {
    const where: string[] = [];
    const args: string[] = [];
    if (q.database) (where.push('database_name = ?'), args.push(q.database));
    if (q.instance) (where.push('instance = ?'), args.push(q.instance));
    if (q.type) (where.push('type = ?'), args.push(q.type));
    const sql = `SELECT body FROM sql_backups ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY time, seq`;
    return (this.db.prepare(sql).all(...args) as { body: string }[]).map((r) => JSON.parse(r.body) as SqlBackupEntry);
  }

  restoreChain(database: string, time: string, instance?: string): RestoreChain {
    const at = Date.parse(time);
    if (Number.isNaN(at)) throw new ApiError(400, 'invalid_request', '"time" must be an ISO-8601 time');
    const all = this.query({ database, instance });
    if (!all.length) throw new ApiError(404, 'not_found', `no backups of database ${database}${instance ? ' on ' + instance : ''}`);
    const instances = new Set(all.map((e) => e.instance));
    if (instances.size > 1) throw new ApiError(400, 'ambiguous_database', `database ${database} exists on several instances (${[...instances].join(', ')}); pass "instance"`);
    const before = all.filter((e) => Date.parse(e.time) <= at);
    const full = before.filter((e) => e.type === 'full').at(-1);
    if (!full) throw new ApiError(404, 'no_full_backup', `no full backup of ${database} finished at or before ${new Date(at).toISOString()} (SQL Server error 4214)`);
    const diff = full.checkpointLsn === undefined
      ? undefined
      : before.filter((e) => e.type === 'diff' && e.differentialBaseLsn === full.checkpointLsn && Date.parse(e.time) >= Date.parse(full.time)).at(-1);
    const base = diff ?? full;
    const logs: SqlBackupEntry[] = [];
    const candidates = all.filter((e) => e.type === 'log').sort((a, b) => (lsn(a.firstLsn) < lsn(b.firstLsn) ? -1 : lsn(a.firstLsn) > lsn(b.firstLsn) ? 1 : 0));
    let cursor = lsn(base.lastLsn);
    let reached = Date.parse(base.time) >= at;
    while (!reached) {
      const next = logs.length === 0
        ? candidates.find((l) => lsn(l.firstLsn) <= cursor && cursor < lsn(l.lastLsn))
        : candidates.find((l) => lsn(l.firstLsn) === cursor);
      if (!next) {
        // Logs beyond the cursor exist but none continues it: a broken chain, not merely the end of the backups.
        if (candidates.some((l) => lsn(l.lastLsn) > cursor)) {
          throw new ApiError(409, 'log_chain_broken', `the log chain of ${database} has a gap at LSN ${cursor}: no log backup starts there, so the database cannot be rolled forward to ${new Date(at).toISOString()}`, { lsn: cursor.toString(), restorableTo: logs.at(-1)?.time ?? base.time });
        }
        break;
      }
      logs.push(next);
      cursor = lsn(next.lastLsn);
      reached = Date.parse(next.time) >= at;
    }
    const restoredTo = reached ? new Date(at).toISOString() : (logs.at(-1) ?? base).time;
    return { database, instance: full.instance, time: new Date(at).toISOString(), full, ...(diff ? { diff } : {}), logs, stopAt: reached && logs.length ? new Date(at).toISOString() : null, restoredTo };
  }
}
