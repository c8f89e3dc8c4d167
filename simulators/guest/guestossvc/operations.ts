import { randomUUID } from 'node:crypto';
import type { BackupRequest, BackupSetStatus, OperationStatus, RestoreRequest, RestoreStep } from '../../core/codecs/guest-api.ts';
import { ApiError, toApiError } from '../api-error.ts';
import type { PluginClient } from './plugin-client.ts';

/** How long a backup may wait in "ready" for the proxy to fetch and complete it before it is aborted. */
export const READY_TTL_MS = 10 * 60_000;

interface Operation {
  status: OperationStatus;
  sessionId?: string;
  restoreId?: string;
  expiry?: NodeJS.Timeout;
}

/**
 * guestossvc's operations: it drives the plugin step by step (so each VSS phase is one hop in the
 * trace) and keeps the status the proxy polls. Backups end "ready" with their streams available;
 * the proxy completes them once it has stored the data (then, and only then, SQL Server records
 * the backup and truncates the log), or they are aborted after READY_TTL_MS.
 */
export class Operations {
  private readonly ops = new Map<string, Operation>();

  constructor(private readonly plugin: () => Promise<PluginClient>) {}

  get(id: string): Operation {
    const op = this.ops.get(id);
    if (!op) throw new ApiError(404, { code: 'operation-not-found', message: `no operation ${id}` });
    return op;
  }

  status(id: string): OperationStatus {
    return this.get(id).status;
  }

  private create(kind: 'backup' | 'restore', instance: string, databases: string[], type?: BackupRequest['type']): Operation {
    const now = new Date().toISOString();
    const op: Operation = { status: { id: randomUUID(), kind, state: 'running', phase: 'queued', instance, databases, type, createdAt: now, updatedAt: now, backupSets: [], steps: [] } };
    this.ops.set(op.status.id, op);
    return op;
  }

  private update(op: Operation, patch: Partial<OperationStatus>): void {
    Object.assign(op.status, patch, { updatedAt: new Date().toISOString() });
  }

  startBackup(req: BackupRequest): OperationStatus {
    if (!req || typeof req.instance !== 'string' || !Array.isArray(req.databases) || req.databases.length === 0) {
      throw new ApiError(400, { code: 'bad-request', message: 'instance and a non-empty databases list are required' });
    }
    if (!['full', 'diff', 'log', 'copy-only'].includes(req.type)) throw new ApiError(400, { code: 'bad-request', message: `type must be full, diff, log or copy-only, not "${req.type}"` });
    const op = this.create('backup', req.instance, req.databases, req.type);
    void this.runBackup(op, req);
    return op.status;
  }

  private async runBackup(op: Operation, req: BackupRequest): Promise<void> {
    const plugin = await this.plugin();
    try {
      if (req.type === 'log') {
        this.update(op, { phase: 'backup-log' });
        for (const db of req.databases) {
          const set = await plugin.call<BackupSetStatus>('POST', '/sql/log-backups', { instance: req.instance, database: db });
          op.status.backupSets.push(set);
        }
      } else {
        this.update(op, { phase: 'prepare' });
        const s = await plugin.call<{ sessionId: string }>('POST', '/vss/sessions', { instance: req.instance, databases: req.databases, type: req.type });
        op.sessionId = s.sessionId;
        this.update(op, { phase: 'freeze' });
        await plugin.call('POST', `/vss/sessions/${s.sessionId}/freeze`);
        this.update(op, { phase: 'snapshot' });
        const snap = await plugin.call<{ backupSets: BackupSetStatus[] }>('POST', `/vss/sessions/${s.sessionId}/snapshot`, undefined, 15 * 60_000);
        this.update(op, { phase: 'thaw' });
        await plugin.call('POST', `/vss/sessions/${s.sessionId}/thaw`);
        op.status.backupSets.push(...snap.backupSets);
      }
      this.update(op, { state: 'ready', phase: 'streaming' });
      op.expiry = setTimeout(() => void this.abort(op.status.id).catch(() => {}), READY_TTL_MS);
      op.expiry.unref();
    } catch (err) {
      this.update(op, { state: 'failed', phase: 'failed', error: toApiError(err).body });
      await this.release(op).catch(() => {});
    }
  }

  /** The stream of one database's backup set, relayed from the plugin. */
  async stream(id: string, database: string) {
    const op = this.get(id);
    if (op.status.kind !== 'backup' || op.status.state !== 'ready') throw new ApiError(409, { code: 'not-ready', message: `operation ${id} is ${op.status.state}, not ready` });
    const set = op.status.backupSets.find((s) => s.database.toLowerCase() === database.toLowerCase());
    if (!set) throw new ApiError(404, { code: 'backup-set-not-found', message: `operation ${id} has no backup of ${database}` });
    const res = await (await this.plugin()).raw('GET', `/backup-sets/${set.backupSetId}/stream`);
    if ((res.statusCode ?? 500) >= 400) {
      const chunks: Buffer[] = [];
      for await (const c of res) chunks.push(c as Buffer);
      throw new ApiError(res.statusCode ?? 500, JSON.parse(Buffer.concat(chunks).toString('utf8')));
    }
    return { set, body: res, markStreamed: () => (set.streamed = true) };
  }

  async complete(id: string): Promise<OperationStatus> {
    const op = this.get(id);
    if (op.status.kind !== 'backup') throw new ApiError(409, { code: 'not-a-backup', message: 'only backups complete; restores recover' });
    if (op.status.state === 'completed') return op.status;
    if (op.status.state !== 'ready') throw new ApiError(409, { code: 'not-ready', message: `operation ${id} is ${op.status.state}, not ready` });
    const missing = op.status.backupSets.filter((s) => !s.streamed).map((s) => s.database);
    if (missing.length) throw new ApiError(409, { code: 'streams-incomplete', message: `backup data not yet read for: ${missing.join(', ')}` });
    clearTimeout(op.expiry);
    try {
      if (op.sessionId) await (await this.plugin()).call('POST', `/vss/sessions/${op.sessionId}/complete`);
      else for (const s of op.status.backupSets) await (await this.plugin()).call('POST', `/backup-sets/${s.backupSetId}/complete`);
      this.update(op, { state: 'completed', phase: 'completed' });
    } catch (err) {
      this.update(op, { state: 'failed', phase: 'failed', error: toApiError(err).body });
    }
    return op.status;
  }

  async abort(id: string): Promise<OperationStatus> {
    const op = this.get(id);
    if (op.status.state === 'completed' || op.status.state === 'aborted' || op.status.state === 'failed') return op.status;
    clearTimeout(op.expiry);
    await this.release(op).catch(() => {});
    this.update(op, { state: 'aborted', phase: 'aborted' });
    return op.status;
  }

  private async release(op: Operation): Promise<void> {
    if (op.sessionId) await (await this.plugin()).call('DELETE', `/vss/sessions/${op.sessionId}`);
    else for (const s of op.status.backupSets) await (await this.plugin()).call('DELETE', `/backup-sets/${s.backupSetId}`);
  }

  async startRestore(req: RestoreRequest): Promise<OperationStatus> {
    if (!req || typeof req.instance !== 'string' || typeof req.database !== 'string') throw new ApiError(400, { code: 'bad-request', message: 'instance and database are required' });
    const r = await (await this.plugin()).call<{ restoreId: string }>('POST', '/sql/restores', req);
    const op = this.create('restore', req.instance, [req.database]);
    op.restoreId = r.restoreId;
    this.update(op, { phase: 'waiting-for-data' });
    return op.status;
  }

  /** One RESTORE DATABASE / RESTORE LOG statement: the body is a backup stream. */
  async restoreStream(id: string, data: Buffer, recovery: boolean, stopAt: string | null): Promise<RestoreStep> {
    const op = this.get(id);
    if (op.status.kind !== 'restore' || op.status.state !== 'running') throw new ApiError(409, { code: 'not-restoring', message: `operation ${id} is ${op.status.kind} ${op.status.state}` });
    const q = new URLSearchParams({ recovery: String(recovery), ...(stopAt ? { stopAt } : {}) });
    this.update(op, { phase: 'restoring' });
    try {
      const r = await (await this.plugin()).put<{ type: RestoreStep['type']; backupSetId: string; restoredLsn: string; state: 'ONLINE' | 'RESTORING'; messages: RestoreStep['messages'] }>(`/sql/restores/${op.restoreId}/stream?${q}`, data);
      const step: RestoreStep = { backupSetId: r.backupSetId, type: r.type, recovery, stopAt, restoredLsn: r.restoredLsn, messages: r.messages };
      op.status.steps.push(step);
      this.update(op, { databaseState: r.state, phase: r.state === 'ONLINE' ? 'recovered' : 'waiting-for-data', error: undefined, ...(r.state === 'ONLINE' ? { state: 'completed' as const } : {}) });
      return step;
    } catch (err) {
      // A failed RESTORE leaves the sequence where it was: the proxy may go on with the right backup.
      this.update(op, { phase: 'waiting-for-data', error: toApiError(err).body });
      throw err;
    }
  }

  async recover(id: string): Promise<OperationStatus> {
    const op = this.get(id);
    if (op.status.kind !== 'restore') throw new ApiError(409, { code: 'not-a-restore', message: 'only restores recover' });
    const r = await (await this.plugin()).call<{ state: 'ONLINE' | 'RESTORING' }>('POST', `/sql/restores/${op.restoreId}/recover`);
    this.update(op, { state: 'completed', phase: 'recovered', databaseState: r.state });
    return op.status;
  }

  stop(): void {
    for (const op of this.ops.values()) clearTimeout(op.expiry);
  }
}
