import type { CloudClient } from '../clients/cloud/cloud-client.ts';
import { CloudApiError } from '../clients/cloud/errors.ts';

/**
 * Where backup data goes: CloudCache when there is one and it answers, otherwise the cloud
 * directly (the product's documented behaviour). Once the cache fails at the network level or
 * stays unavailable, the job stays on the cloud. Reads go to the cache first (it falls through to
 * the cloud on a miss), then to the cloud.
 */
export class DataTarget {
  private cacheUsable: boolean;

  constructor(
    private readonly cloud: CloudClient,
    private readonly cache: CloudClient | null,
    private readonly log: (message: string, level?: 'info' | 'warn' | 'error') => void,
  ) {
    this.cacheUsable = cache !== null;
  }

  /** "cloudcache" or "cloud": where data is going now. */
  get name(): 'cloudcache' | 'cloud' {
    return this.cacheUsable ? 'cloudcache' : 'cloud';
  }

  private async onTarget<T>(what: string, op: (c: CloudClient) => Promise<T>): Promise<T> {
    if (this.cacheUsable && this.cache) {
      try {
        return await op(this.cache);
      } catch (err) {
        if (!(err instanceof CloudApiError) || !err.retryable) throw err;
        this.cacheUsable = false;
        this.log(`CloudCache unreachable during ${what} (${err.message}); sending data to the cloud directly`, 'warn');
      }
    }
    return op(this.cloud);
  }

  missing(hashes: string[]): Promise<string[]> {
    return this.onTarget('the dedup check', (c) => c.missingBlocks(hashes));
  }

  async upload(data: Buffer, hash: string): Promise<void> {
    await this.onTarget('a block upload', (c) => c.uploadBlock(data, hash));
  }

  /** A block by hash, verified (the client checks SHA-256): cache first, then the cloud. */
  async download(hash: string): Promise<Buffer> {
    if (this.cache && this.cacheUsable) {
      try {
        return await this.cache.downloadBlock(hash);
      } catch (err) {
        if (!(err instanceof CloudApiError) || !err.retryable) throw err;
        this.cacheUsable = false;
        this.log(`CloudCache unreachable for restore reads (${err.message}); reading from the cloud`, 'warn');
      }
    }
    return this.cloud.downloadBlock(hash);
  }
}
