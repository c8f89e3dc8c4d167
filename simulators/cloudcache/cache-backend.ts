import type { FaultRegistry } from '../core/faults/registry.ts';
import { BlockCorruptedError, type BlockStore } from '../cloud/block-store.ts';
import { blockNotFound, type BlockBackend } from '../cloud/block-routes.ts';
import { corruptedError, readVerified } from '../cloud/faults.ts';
import { ApiError, unavailable } from '../cloud/http-api.ts';
import { CloudLinkError, type CloudLink } from './cloud-link.ts';

/**
 * CloudCache's block backend: data is acknowledged once stored locally and marked pending for
 * write-back; reads are served locally and fall through to the cloud on a miss (and are kept).
 */
export class CacheBackend implements BlockBackend {
  /** Blocks stored here but not yet known to be in the cloud, in arrival order, with sizes. */
  readonly pending = new Map<string, number>();
  private readonly waiters = new Set<() => void>();

  constructor(
    readonly store: BlockStore,
    private readonly link: CloudLink,
    private readonly faults: FaultRegistry,
    private readonly name: string,
  ) {
    // After a restart nothing says which local blocks reached the cloud: treat all as pending;
    // the first sync pass asks the cloud and drops those it already has without re-uploading.
    for (const h of store.hashes()) this.pending.set(h, store.size(h) ?? 0);
  }

  /** Called by the sync loop to wait for new data. */
  onNewData(listener: () => void): () => void {
    this.waiters.add(listener);
    return () => this.waiters.delete(listener);
  }

  async missing(hashes: string[]): Promise<string[]> {
    const local = hashes.filter((h) => !this.store.has(h));
    if (!local.length) return [];
    try {
      return await this.link.missing(local);
    } catch {
      // Cloud unreachable: the proxy uploads what we do not hold, and we sync it later.
      return local;
    }
  }

  async put(hash: string, data: Buffer): Promise<boolean> {
    if (!(await this.store.put(hash, data))) return false;
    this.pending.set(hash, data.length);
    for (const w of this.waiters) w();
    return true;
  }

  async get(hash: string): Promise<Buffer> {
    try {
      const local = await readVerified(this.faults, this.name, this.store, hash);
      if (local) return local;
    } catch (err) {
      if (!(err instanceof BlockCorruptedError)) throw err;
      // A damaged block that never reached the cloud is lost; say so rather than read through.
      if (this.pending.delete(hash)) throw corruptedError(err);
    }
    let data: Buffer | undefined;
    try {
      data = await this.link.get(hash);
    } catch (err) {
      throw cloudError(err, `block ${hash} is not in the cache and the cloud could not be read`);
    }
    if (!data) throw blockNotFound(hash);
    await this.store.put(hash, data);
    return data;
  }

  async size(hash: string): Promise<number | undefined> {
    const local = this.store.size(hash);
    if (local !== undefined) return local;
    try {
      return await this.link.size(hash);
    } catch (err) {
      throw cloudError(err, `cannot ask the cloud about block ${hash}`);
    }
  }
}

/** A failed read-through, mapped for the proxy: 503 + Retry-After while the cloud is away. */
function cloudError(err: unknown, what: string): ApiError {
  const e = err as CloudLinkError;
  if (e instanceof CloudLinkError && (e.status === undefined || e.status === 503)) return unavailable(e.retryAfterSeconds ?? 5, `${what}: ${e.message}`, 'cloud_unavailable');
  return new ApiError(502, 'cloud_error', `${what}: ${(err as Error).message}`);
}
