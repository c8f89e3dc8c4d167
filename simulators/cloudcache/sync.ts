import type { FaultRegistry } from '../core/faults/registry.ts';
import type { TraceBus } from '../core/trace/bus.ts';
import type { CacheStatus } from '../core/codecs/cloud-api.ts';
import { BlockCorruptedError } from '../cloud/block-store.ts';
import type { CacheBackend } from './cache-backend.ts';
import { CloudLinkError, type CloudLink } from './cloud-link.ts';
import { windowOpen, type CloudCacheOptions } from './options.ts';

export interface WriteBackDeps {
  backend: CacheBackend;
  link: CloudLink;
  faults: FaultRegistry;
  trace: TraceBus;
  name: string;
  cloudName: string;
}

/**
 * Write-back of pending blocks to the cloud: while the sync window is open it re-checks every
 * `recheckIntervalMs` (or at once when new data arrives), asks the cloud which pending blocks it
 * lacks, uploads those under the bandwidth cap, and honours Retry-After. Stalled or offline: idle.
 */
export class WriteBack {
  private stopped = false;
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  private notBefore = 0;
  private synced = { blocks: 0, bytes: 0 };
  private lastSyncAt: string | null = null;
  private lastError: string | null = null;
  private readonly unsubscribe: () => void;

  constructor(private readonly deps: WriteBackDeps, private options: CloudCacheOptions) {
    this.unsubscribe = deps.backend.onNewData(() => this.wake?.());
  }

  start(): void {
    this.loop ??= this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe();
    this.wake?.();
    await this.loop;
  }

  /** Changes window / cap at run time (scenarios); the next pass uses them. */
  configure(options: Partial<CloudCacheOptions>): void {
    this.options = { ...this.options, ...options };
    this.wake?.();
  }

  private get stalled(): boolean {
    return !!this.deps.faults.peek(this.deps.name, ['cloudcache-sync-stalled', 'cloudcache-offline']);
  }

  status(): CacheStatus {
    const { backend } = this.deps;
    let pendingBytes = 0;
    for (const size of backend.pending.values()) pendingBytes += size;
    const stats = backend.store.stats();
    return {
      pendingBlocks: backend.pending.size,
      pendingBytes,
      storedBlocks: stats.blocks,
      storedBytes: stats.bytes,
      syncedBlocks: this.synced.blocks,
      syncedBytes: this.synced.bytes,
      lastSyncAt: this.lastSyncAt,
      lastError: this.lastError,
      window: { open: windowOpen(this.options.syncWindow), start: this.options.syncWindow?.start ?? null, end: this.options.syncWindow?.end ?? null },
      bandwidthBytesPerSecond: this.options.bandwidthBytesPerSecond ?? null,
      stalled: this.stalled,
    };
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        await this.pass();
      } catch (err) {
        this.noteError(err);
      }
      if (!this.stopped) await this.sleep(Math.max(this.options.recheckIntervalMs ?? 250, this.notBefore - Date.now()));
    }
  }

  private noteError(err: unknown): void {
    const e = err as CloudLinkError;
    this.lastError = e.message;
    if (e instanceof CloudLinkError && e.retryAfterSeconds !== undefined) this.notBefore = Date.now() + e.retryAfterSeconds * 1000;
    else this.notBefore = Date.now() + 1000;
    this.deps.trace.emit({ kind: 'error', from: this.deps.name, to: this.deps.cloudName, port: 443, protocol: 'https', summary: `write-back paused: ${e.message}` });
  }

  private runnable(): boolean {
    return !this.stopped && !this.stalled && Date.now() >= this.notBefore && windowOpen(this.options.syncWindow);
  }

  private async pass(): Promise<void> {
    const { backend, link } = this.deps;
    while (this.runnable() && backend.pending.size) {
      const batch = [...backend.pending.keys()].slice(0, this.options.batchSize ?? 256);
      const missing = new Set(await link.missing(batch));
      for (const hash of batch) {
        if (!this.runnable()) return;
        if (!missing.has(hash)) {
          backend.pending.delete(hash);
          continue;
        }
        await this.upload(hash);
      }
      this.lastSyncAt = new Date().toISOString();
      this.lastError = null;
    }
  }

  private async upload(hash: string): Promise<void> {
    const { backend, link } = this.deps;
    let data: Buffer | undefined;
    try {
      data = await backend.store.get(hash);
    } catch (err) {
      if (!(err instanceof BlockCorruptedError)) throw err;
      backend.pending.delete(hash);
      this.lastError = err.message;
      this.deps.trace.emit({ kind: 'error', from: this.deps.name, to: this.deps.name, port: 443, protocol: 'https', summary: `pending ${err.message}` });
      return;
    }
    if (!data) {
      backend.pending.delete(hash);
      return;
    }
    const started = Date.now();
    await link.put(hash, data);
    backend.pending.delete(hash);
    this.synced.blocks += 1;
    this.synced.bytes += data.length;
    const cap = this.options.bandwidthBytesPerSecond;
    if (cap) {
      // New data must not cut the pause short, only stop() may.
      const until = started + (data.length / cap) * 1000;
      while (!this.stopped && Date.now() < until) await this.sleep(until - Date.now());
    }
  }
}
