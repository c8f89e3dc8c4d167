import { http, HttpResponse, type RequestHandler } from 'msw';
import { API_PREFIX, MAX_BLOCK_BYTES, MAX_MISSING_BATCH, sha256Hex, type BlockPutResult } from '../core/codecs/cloud-api.ts';
import { ApiError, guarded, readBody, readJson, requireHash } from './http-api.ts';

/** What serves blocks: the cloud's own store, or CloudCache (local store + the cloud behind it). */
export interface BlockBackend {
  missing(hashes: string[]): Promise<string[]>;
  /** data already verified against hash; false when it was stored before. */
  put(hash: string, data: Buffer): Promise<boolean>;
  /** Throws ApiError 404 when absent, 500 block_corrupted when damaged at rest. */
  get(hash: string): Promise<Buffer>;
  size(hash: string): Promise<number | undefined>;
}

/**
 * The block part of the data API (same on the cloud and on CloudCache): batch missing-check,
 * verified upload, download, HEAD. `before` authenticates and applies request-time faults.
 */
export function blockRoutes(backend: BlockBackend, before: (request: Request) => Promise<void> | void): RequestHandler[] {
  const blockHeaders = (hash: string, size: number) => ({ 'content-type': 'application/octet-stream', 'content-length': String(size), etag: `"${hash}"`, 'x-content-sha256': hash });
  return [
    http.post(`*${API_PREFIX}/blocks/missing`, guarded(before, async ({ request }) => {
      const body = await readJson(request);
      const hashes = body.hashes;
      if (!Array.isArray(hashes)) throw new ApiError(400, 'invalid_request', '"hashes" must be an array of SHA-256 hex strings');
      if (hashes.length > MAX_MISSING_BATCH) throw new ApiError(413, 'payload_too_large', `at most ${MAX_MISSING_BATCH} hashes per missing-check, got ${hashes.length}`, { limit: MAX_MISSING_BATCH });
      hashes.forEach((h, i) => requireHash(h, `hashes[${i}]`));
      return HttpResponse.json({ missing: await backend.missing([...new Set(hashes as string[])]) });
    })),
    http.put(`*${API_PREFIX}/blocks/:hash`, guarded(before, async ({ request, params }) => {
      const hash = requireHash(params.hash);
      const data = await readBody(request, MAX_BLOCK_BYTES);
      const actual = sha256Hex(data);
      if (actual !== hash) throw new ApiError(422, 'hash_mismatch', `body of ${data.length} bytes hashes to ${actual}, not ${hash}`, { expected: hash, actual });
      const stored = await backend.put(hash, data);
      const result: BlockPutResult = { hash, size: data.length, stored };
      return HttpResponse.json(result, { status: stored ? 201 : 200 });
    })),
    http.get(`*${API_PREFIX}/blocks/:hash`, guarded(before, async ({ params }) => {
      const hash = requireHash(params.hash);
      const data = await backend.get(hash);
      return new HttpResponse(data, { status: 200, headers: blockHeaders(hash, data.length) });
    })),
    http.head(`*${API_PREFIX}/blocks/:hash`, guarded(before, async ({ params }) => {
      const hash = requireHash(params.hash);
      const size = await backend.size(hash);
      if (size === undefined) return new HttpResponse(null, { status: 404 });
      return new HttpResponse(null, { status: 200, headers: blockHeaders(hash, size) });
    })),
  ];
}

export function blockNotFound(hash: string): ApiError {
  return new ApiError(404, 'not_found', `no block ${hash}`);
}
