import type { Fault, FaultRegistry } from '../core/faults/registry.ts';
import type { BlockStore } from './block-store.ts';
import { BlockCorruptedError } from './block-store.ts';
import { ApiError, unavailable } from './http-api.ts';

/**
 * Protocol faults of the cloud and CloudCache (docs/cloud-api.md#faults):
 * - cloud-unavailable {retryAfterSeconds=30, count?}: every cloud call answers 503 + Retry-After.
 * - cloud-quota-exceeded: uploads of new blocks answer 403 {code: "quota_exceeded"}.
 * - cloudcache-offline: CloudCache resets every connection and stops syncing until cleared.
 * - cloudcache-sync-stalled: CloudCache keeps accepting data but syncs nothing.
 * - block-corrupted {hash?}: the next read of that block (any block without hash) finds it damaged at rest.
 */
export const CLOUD_FAULTS = ['cloud-unavailable', 'cloud-quota-exceeded', 'cloudcache-offline', 'cloudcache-sync-stalled', 'block-corrupted'] as const;

/** take() that also honours a `count` param (uses left) for faults set without `remaining`. */
export function takeFault(faults: FaultRegistry, component: string, type: string, matches: (f: Fault) => boolean = () => true): Fault | undefined {
  const f = faults.peek(component, type);
  if (!f || !matches(f)) return undefined;
  if (f.remaining === undefined && typeof f.params.count === 'number') f.remaining = f.params.count;
  return faults.take(component, type);
}

export function checkUnavailable(faults: FaultRegistry, component: string): void {
  const f = takeFault(faults, component, 'cloud-unavailable');
  if (!f) return;
  const seconds = typeof f.params.retryAfterSeconds === 'number' ? f.params.retryAfterSeconds : 30;
  throw unavailable(seconds, `${component} is temporarily unavailable (fault cloud-unavailable)`);
}

export function checkQuota(faults: FaultRegistry, component: string): void {
  if (takeFault(faults, component, 'cloud-quota-exceeded')) {
    throw new ApiError(403, 'quota_exceeded', 'the storage quota of this account is exhausted; new data is refused until space is freed');
  }
}

/** Reads a block, first damaging it when a block-corrupted fault names it (or names no block). */
export async function readVerified(faults: FaultRegistry, component: string, store: BlockStore, hash: string): Promise<Buffer | undefined> {
  if (store.has(hash) && takeFault(faults, component, 'block-corrupted', (f) => f.params.hash === undefined || f.params.hash === hash)) {
    await store.corrupt(hash);
  }
  return store.get(hash);
}

export function corruptedError(err: BlockCorruptedError): ApiError {
  return new ApiError(500, 'block_corrupted', err.message, { hash: err.hash });
}
