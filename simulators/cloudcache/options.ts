/** How CloudCache syncs to the cloud (lab option `cloudcache`). */
export interface CloudCacheOptions {
  /** Daily sync window in UTC, "HH:MM" to "HH:MM" (may wrap midnight); default: always open. */
  syncWindow?: { start: string; end: string } | null;
  /** Upload cap towards the cloud in bytes per second; default: no cap. */
  bandwidthBytesPerSecond?: number | null;
  /** How often the sync loop re-checks for new data while the window is open (ms); default 250. */
  recheckIntervalMs?: number;
  /** Hashes per missing-check batch during sync; default 256. */
  batchSize?: number;
}

declare module '../lab-options.ts' {
  interface LabOptions {
    /** CloudCache sync settings. */
    cloudcache?: CloudCacheOptions;
  }
}

function minutes(hhmm: string): number {
  const m = /^(\d{1,2}):(\d{2})$/.exec(hhmm);
  if (!m || Number(m[1]) > 23 || Number(m[2]) > 59) throw new Error(`sync window time must be "HH:MM", got ${JSON.stringify(hhmm)}`);
  return Number(m[1]) * 60 + Number(m[2]);
}

/** Whether the window is open at `now` (UTC); start === end means open all day. */
export function windowOpen(window: CloudCacheOptions['syncWindow'], now = new Date()): boolean {
  if (!window) return true;
  const start = minutes(window.start);
  const end = minutes(window.end);
  const t = now.getUTCHours() * 60 + now.getUTCMinutes();
  if (start === end) return true;
  return start < end ? t >= start && t < end : t >= start || t < end;
}

export function validateOptions(o: CloudCacheOptions): void {
  if (o.syncWindow) windowOpen(o.syncWindow);
  if (o.bandwidthBytesPerSecond != null && !(o.bandwidthBytesPerSecond > 0)) throw new Error('bandwidthBytesPerSecond must be > 0');
}
