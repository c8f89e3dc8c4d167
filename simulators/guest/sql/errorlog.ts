/** The SQL Server error log of one instance: what a DBA (or a test) reads after a VSS backup. */
export interface ErrorLogEntry {
  time: string;
  /** "spid61", "Backup", "Server"... */
  process: string;
  /** Error number when the line reports one (3197, 3198, 18264...). */
  number?: number;
  message: string;
}

export class ErrorLog {
  readonly entries: ErrorLogEntry[] = [];

  constructor(private readonly limit = 10_000) {}

  add(process: string, message: string, number?: number): void {
    this.entries.push({ time: new Date().toISOString(), process, number, message });
    if (this.entries.length > this.limit) this.entries.splice(0, this.entries.length - this.limit);
  }

  /** Lines in ERRORLOG's own layout: "2026-11-25 08:01:02.34 spid61      I/O is frozen on database ...". */
  lines(): string[] {
    return this.entries.map((e) => `${e.time.replace('T', ' ').slice(0, 22)} ${e.process.padEnd(12)}${e.message}`);
  }
}
