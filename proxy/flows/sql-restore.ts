import type { SqlBackupEntry } from '../../simulators/core/codecs/cloud-api.ts';
import { ProxyError } from '../errors.ts';
import type { FlowContext } from './context.ts';
import { injectGuestServices } from './guest-session.ts';
import { guestError } from './sql-backup.ts';

export interface SqlRestoreParams {
  /** The VM whose SQL Server receives the restore. */
  vm: string;
  instance?: string;
  /** The database that was backed up. */
  database: string;
  /** Restore under another name (beside the source); default: over the original (WITH REPLACE). */
  targetDatabase?: string;
  /** Point in time (STOPAT); default: the latest backup. */
  time?: string;
}

export interface SqlRestoreResult {
  vm: string;
  database: string;
  targetDatabase: string;
  chain: { type: string; firstLsn: string; lastLsn: string }[];
  stopAt: string | null;
  restoredLsn: string;
  checksum: string;
  /** What the checksum was compared with: the one recorded at backup, or the source at the restored LSN. */
  verifiedAgainst: 'backup' | 'source';
  bytes: number;
}

/**
 * SQL restore: ask the cloud for the restore chain (full, differential, logs up to the time),
 * fetch each backup's blocks (CloudCache first, then the cloud), stream them through guestossvc to
 * the plugin WITH NORECOVERY until the last WITH RECOVERY (STOPAT inside the last log), then check
 * the restored database's checksum.
 */
export async function restoreSql(ctx: FlowContext, params: SqlRestoreParams): Promise<SqlRestoreResult> {
  const time = params.time ?? new Date().toISOString();
  const chain = await ctx.cloud.restoreChain(params.database, time, params.instance);
  const steps: SqlBackupEntry[] = [chain.full, ...(chain.diff ? [chain.diff] : []), ...chain.logs];
  const target = params.targetDatabase ?? params.database;
  ctx.log(`restore chain for ${params.database} at ${time}: ${steps.map((s) => `${s.type} ${s.firstLsn}..${s.lastLsn}`).join(' -> ')}`);
  const vs = await ctx.vsphere();
  const session = await injectGuestServices(ctx, vs, params.vm);
  const guest = session.client;
  try {
    let op;
    try {
      op = await guest.startRestore({ instance: chain.instance, database: target, replace: target === params.database });
    } catch (err) {
      throw guestError(err, session.name);
    }
    const total = steps.reduce((n, s) => n + Number(s.streamBytes ?? 0), 0);
    let bytes = 0;
    let restoredLsn = '';
    for (const [i, step] of steps.entries()) {
      const last = i === steps.length - 1;
      const parts: Buffer[] = [];
      for (const hash of step.blocks) {
        const block = await ctx.data.download(hash);
        parts.push(block);
        bytes += block.length;
        ctx.progress('sql-restore', bytes, total, 0);
      }
      const data = Buffer.concat(parts);
      try {
        const r = await guest.restore(op.id, data, { recovery: last, stopAt: last && chain.stopAt ? chain.stopAt : undefined });
        restoredLsn = r.restoredLsn;
        ctx.log(`${session.name}: RESTORE ${step.type === 'log' ? 'LOG' : 'DATABASE'} ${target} ${last ? 'WITH RECOVERY' : 'WITH NORECOVERY'}${last && chain.stopAt ? ` STOPAT ${chain.stopAt}` : ''} -> LSN ${r.restoredLsn}`);
      } catch (err) {
        throw guestError(err, session.name);
      }
    }
    const restored = await guest.checksum(chain.instance, target);
    const lastStep = steps[steps.length - 1]!;
    let expected: string;
    let verifiedAgainst: 'backup' | 'source';
    if (!chain.stopAt && lastStep.databaseChecksum) {
      expected = String(lastStep.databaseChecksum);
      verifiedAgainst = 'backup';
    } else {
      expected = (await guest.checksum(chain.instance, params.database, restoredLsn)).checksum;
      verifiedAgainst = 'source';
    }
    if (restored.checksum !== expected) {
      throw new ProxyError('integrity', `${target}: restored checksum ${restored.checksum} differs from the ${verifiedAgainst === 'backup' ? 'one recorded at backup' : 'source at LSN ' + restoredLsn} (${expected})`);
    }
    ctx.log(`${session.name}: ${target} restored to LSN ${restoredLsn}, checksum verified against the ${verifiedAgainst}`);
    return {
      vm: session.name,
      database: params.database,
      targetDatabase: target,
      chain: steps.map((s) => ({ type: s.type, firstLsn: s.firstLsn, lastLsn: s.lastLsn })),
      stopAt: chain.stopAt,
      restoredLsn,
      checksum: restored.checksum,
      verifiedAgainst,
      bytes,
    };
  } finally {
    await session.stop();
  }
}
