import type { JobOutcome } from '../../proxy/backup-proxy.ts';
import { table } from './table.ts';

const MiB = 2 ** 20;

function mib(n: unknown): string {
  return typeof n === 'number' ? `${(n / MiB).toFixed(1)}` : '';
}

/** One row per job: what it did, how much data moved, and how it ended. */
export function jobSummary(rows: { title: string; outcome: JobOutcome; seconds: number }[]): string {
  return table(
    ['#', 'job', 'status', 'read MiB', 'sent MiB', 'dedup', 'MB/s', 'target', 'seconds', 'result'],
    rows.map(({ outcome, seconds }, i) => {
      const r = (outcome.result ?? {}) as Record<string, unknown>;
      const read = (r.bytesRead ?? r.bytesWritten ?? r.bytes) as number | undefined;
      const sent = r.bytesSent as number | undefined;
      return [
        i + 1,
        `${outcome.job.type} ${String(outcome.job.params.vm ?? '')}`.trim(),
        outcome.status,
        mib(read),
        mib(sent),
        typeof read === 'number' && typeof sent === 'number' && sent > 0 ? `${(read / sent).toFixed(1)}x` : '',
        typeof read === 'number' && seconds > 0 ? (read / MiB / seconds).toFixed(1) : '',
        (r.target as string) ?? '',
        seconds.toFixed(2),
        outcome.error ? `${outcome.error.errorClass}: ${outcome.error.message}` : describe(r),
      ];
    }),
  );
}

function describe(r: Record<string, unknown>): string {
  if (r.manifestId && r.kind) return `${r.kind} backup ${r.manifestId}, ${r.blocksUploaded}/${r.blocks} blocks uploaded`;
  if (Array.isArray(r.entries)) return (r.entries as { database: string; type: string; lastLsn: string }[]).map((e) => `${e.database} ${e.type} to LSN ${e.lastLsn}`).join('; ');
  if (r.targetDatabase) return `${r.targetDatabase} at LSN ${r.restoredLsn}, checksum verified against the ${r.verifiedAgainst}`;
  if (r.probe && r.moref) {
    const p = r.probe as { kind: string; state: string };
    return `${r.vm} (${r.moref}) disks verified, ${p.kind.toUpperCase()} ${p.state}`;
  }
  return '';
}
