import type { SqlBackupEntry } from '../../simulators/core/codecs/cloud-api.ts';
import type { SqlBackupKind } from '../../simulators/core/codecs/sql-backup-stream.ts';
import { GuestossvcError } from '../clients/guest/guestossvc-client.ts';
import { ProxyError } from '../errors.ts';
import type { FlowContext } from './context.ts';
import { cutStream, storeBlocks, type Block } from './blocks.ts';
import { injectGuestServices } from './guest-session.ts';

export interface SqlBackupParams {
  vm: string;
  instance?: string;
  /** Default: every database of the instance that can take this backup type. */
  databases?: string[];
  type: SqlBackupKind;
}

export interface SqlBackupResult {
  vm: string;
  instance: string;
  type: SqlBackupKind;
  entries: SqlBackupEntry[];
  bytesRead: number;
  bytesSent: number;
  target: 'cloudcache' | 'cloud';
}

/**
 * Application-aware SQL backup: inject the guest services, discover, ask guestossvc for the backup
 * (VSS freeze/thaw for full, differential and copy-only; native for log), stream each database's
 * backup into deduplicated blocks, record catalog entries with the LSNs, then tell SQL Server the
 * backup is safely stored (only then does a log backup truncate the log).
 */
export async function backupSql(ctx: FlowContext, params: SqlBackupParams): Promise<SqlBackupResult> {
  const vs = await ctx.vsphere();
  const session = await injectGuestServices(ctx, vs, params.vm);
  const guest = session.client;
  try {
    // Discovery is the first call to the plugin: a plugin that is down answers here.
    const instances = await guest.discover().catch((err: unknown) => {
      throw guestError(err, session.name);
    });
    const instance = instances.find((i) => i.name === (params.instance ?? instances[0]?.name));
    if (!instance) throw new ProxyError('sql', `${session.name}: no SQL Server instance ${params.instance ?? ''} found`);
    const databases =
      params.databases ??
      instance.databases.filter((d) => d.state === 'ONLINE' && (params.type !== 'log' || d.recoveryModel !== 'SIMPLE')).map((d) => d.name);
    ctx.log(`${session.name}: ${params.type} backup of ${instance.name}: ${databases.join(', ')}`);
    let op;
    try {
      op = await guest.startBackup({ instance: instance.name, databases, type: params.type });
      op = await guest.waitFor(op.id, ctx.config.timeouts.task);
    } catch (err) {
      throw guestError(err, session.name);
    }
    if (op.state === 'failed') throw guestError(new GuestossvcError(500, op.error ?? { code: 'failed', message: 'backup failed' }), session.name);
    const entries: SqlBackupEntry[] = [];
    let bytesRead = 0;
    let bytesSent = 0;
    const total = op.backupSets.reduce((n, s) => n + s.streamBytes, 0);
    for (const set of op.backupSets) {
      const stream = await guest.openStream(op.id, set.database);
      const { stored, stats } = await storeBlocks(cutStream(stream, ctx.config.blockSize) as AsyncIterable<Block>, ctx.data, (s) =>
        ctx.progress('sql-backup', bytesRead + s.bytesRead, total, bytesSent + s.bytesSent),
      );
      bytesRead += stats.bytesRead;
      bytesSent += stats.bytesSent;
      if (stats.bytesRead !== set.streamBytes) {
        throw new ProxyError('integrity', `${set.database}: backup stream ended after ${stats.bytesRead} of ${set.streamBytes} bytes`);
      }
      entries.push({
        database: set.database,
        instance: instance.name,
        server: session.name,
        type: set.type,
        firstLsn: set.firstLsn,
        lastLsn: set.lastLsn,
        databaseBackupLsn: set.databaseBackupLsn,
        differentialBaseLsn: set.differentialBaseLsn ?? undefined,
        checkpointLsn: set.checkpointLsn,
        time: set.backupFinishDate,
        blocks: stored.map((b) => b.hash),
        streamSha256: set.streamSha256,
        streamBytes: set.streamBytes,
        databaseChecksum: set.databaseChecksum,
        backupSetId: set.backupSetId,
        method: set.method,
      });
    }
    for (const e of entries) await ctx.cloud.addCatalogEntry(e);
    await guest.complete(op.id);
    for (const e of entries) ctx.log(`${session.name}: ${e.database} ${e.type} LSN ${e.firstLsn}..${e.lastLsn} catalogued (${e.blocks.length} blocks)`);
    return { vm: session.name, instance: instance.name, type: params.type, entries, bytesRead, bytesSent, target: ctx.data.name };
  } finally {
    await session.stop();
  }
}

/** SQL and VSS failures keep their numbers so a job log (and a scenario) can name them. */
export function guestError(err: unknown, vm: string): unknown {
  if (!(err instanceof GuestossvcError)) return err;
  const numbers = err.sqlNumbers;
  const cls = err.body.vss ? 'vss' : numbers.length ? 'sql' : 'guest';
  const what = numbers.length ? ` (SQL errors ${numbers.join(', ')})` : err.body.vss ? ` (${err.body.vss.writer} ${err.body.vss.stateText} ${err.body.vss.error})` : '';
  return new ProxyError(cls, `${vm}: ${err.body.message}${what}`, { code: err.body.code, sqlErrors: numbers, vss: err.body.vss }, { cause: err });
}
