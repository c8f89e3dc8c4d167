import { EventEmitter } from 'node:events';

export interface ProgressUpdate {
  job: string;
  phase: string;
  /** Bytes read from the source (disk, backup stream, cloud). */
  bytesDone: number;
  bytesTotal: number;
  /** Bytes sent to the data target (after dedup). */
  bytesSent: number;
}

export interface LogLine {
  job?: string;
  level: 'info' | 'warn' | 'error';
  message: string;
}

/** What a running proxy tells its watchers (the demo's progress bars and job log, tests). */
export class ProxyEvents extends EventEmitter<{ progress: [ProgressUpdate]; log: [LogLine] }> {
  log(level: LogLine['level'], message: string, job?: string): void {
    this.emit('log', { level, message, job });
  }
}
