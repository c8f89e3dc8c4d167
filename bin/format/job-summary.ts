import type { ProxyError } from '../../proxy/errors.ts';
import { table } from './table.ts';

/** One finished job, from the cloud's job queue (demo) or run directly (bpsim proxy). */
export interface JobRow {
  type: string;
  params: Record<string, unknown>;
  status: 'succeeded' | 'failed';
  result?: unknown;
  error?: ProxyError;
  seconds: number;
}

const MiB = 2 ** 20;

function mib(n: unknown): string {
  return typeof n === 'number' ? `${(n / MiB).toFixed(1)}` : '';
}

/** One row per job: what it did, how much data moved, and how it ended. */
export function jobSummary(rows: JobRow[]): string {
  return table(
    ['#', 'job', 'status', 'read MiB', 'sent MiB', 'dedup', 'MB/s', 'target', 'seconds', 'result'],
    rows.map((row, i) => {
      const { seconds } = row;
      const r = (row.result ?? {}) as Record<string, unknown>;
      const read = (r.bytesRead ?? r.bytesWritten ?? r.bytes) as number | undefined;
      const sent = r.bytesSent as number | undefined;
      return [
        i + 1,
        `${row.type} ${String(row.params.vm ?? '')}`.trim(),
        row.status,
        mib(read),
        mib(sent),
        typeof read === 'number' && typeof sent === 'number' && sent > 0 ? `${(read / sent).toFixed(1)}x` : '',
        typeof read === 'number' && seconds > 0 ? (read / MiB / seconds).toFixed(1) : '',
        (r.target as string) ?? '',
        seconds.toFixed(2),
        row.error ? `${row.error.errorClass}: ${row.error.message}` : describe(r),
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
