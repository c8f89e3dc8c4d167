import { createHash } from 'node:crypto';

/** SHA-256 as lower-case hex: block names, backup-stream and injected-file checksums. */
export function sha256Hex(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}
