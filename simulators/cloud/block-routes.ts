import { createHash } from 'node:crypto';
import { http, HttpResponse, type RequestHandler } from 'msw';
import { API_PREFIX, MAX_BLOCK_BYTES, MAX_MISSING_BATCH, sha256Hex, type BlockPutResult } from '../core/codecs/cloud-api.ts';
import type { DirectRoute, PlainReply } from '../core/net/msw-adapter.ts';
import { BodyTooLarge, type CappedBody } from '../core/net/capped-body.ts';
import { ApiError, DRAIN_LIMIT, errorResponse, guarded, readBody, readJson, requireHash, tooLarge } from './http-api.ts';

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
      const r = await putVerified(backend, hash, data, sha256Hex(data));
      return HttpResponse.json(r.result, { status: r.status });
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

async function putVerified(backend: BlockBackend, hash: string, data: Buffer, actual: string): Promise<{ status: number; result: BlockPutResult }> {
  if (actual !== hash) throw new ApiError(422, 'hash_mismatch', `body of ${data.length} bytes hashes to ${actual}, not ${hash}`, { expected: hash, actual });
  const stored = await backend.put(hash, data);
  return { status: stored ? 201 : 200, result: { hash, size: data.length, stored } };
}

const UPLOAD_PATH = new RegExp(`${API_PREFIX.replace(/[/.]/g, '\\$&')}/blocks/([0-9a-f]{64})$`);

/**
 * `PUT /blocks/:hash` served off node:http (msw-adapter's direct routes): the same checks, answers
 * and errors as the msw route above, which still serves in-process use and every path this one does
 * not take (a hash that is not 64 lower-case hex digits gets its 400 there). The body is hashed chunk
 * by chunk as it arrives and copied once, into a buffer of its declared length that the store keeps:
 * no Web stream, no concatenation, no second pass over the bytes.
 */
export function blockUploadRoute(backend: BlockBackend, before: (request: Request) => Promise<void> | void): DirectRoute {
  return {
    method: 'PUT',
    match(path) {
      const m = UPLOAD_PATH.exec(path);
      return m ? { hash: m[1]! } : undefined;
    },
    async handle({ request, params, body }) {
      try {
        await before(request);
        const { data, actual } = await readHashed(request, body, MAX_BLOCK_BYTES);
        const r = await putVerified(backend, params.hash!, data, actual);
        return jsonReply(r.status, r.result);
      } catch (err) {
        // As guarded(): an unread body would stall the keep-alive connection, so drain it first.
        if (!body.taken) await drain(body);
        return errorResponse(err instanceof ApiError ? err : new ApiError(500, 'internal', (err as Error).message));
      }
    },
  };
}

/** The body and its SHA-256, with readBody's cap and errors (by Content-Length first, then while streaming). */
async function readHashed(request: Request, body: CappedBody, limit: number): Promise<{ data: Buffer; actual: string }> {
  const declared = Number(request.headers.get('content-length') ?? NaN);
  if (declared > limit) throw tooLarge(declared, limit);
  const hash = createHash('sha256');
  // node:http holds a body to its Content-Length, so the chunks fill this buffer exactly; chunked bodies are joined.
  const whole = Number.isSafeInteger(declared) && declared >= 0 ? Buffer.allocUnsafe(declared) : undefined;
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    await body.consume((c) => {
      if (total + c.length > limit) throw tooLarge(total + c.length, limit);
      hash.update(c);
      if (whole) c.copy(whole, total);
      else chunks.push(c);
      total += c.length;
    });
  } catch (err) {
    if (err instanceof BodyTooLarge) throw tooLarge(err.size, limit);
    throw err;
  }
  const data = whole ? whole.subarray(0, total) : Buffer.concat(chunks, total);
  return { data, actual: hash.digest('hex') };
}

/** Reads and drops the rest of a body; past DRAIN_LIMIT reading stops (the answer then closes the connection). */
function drain(body: CappedBody): Promise<void> {
  return body
    .consume(() => {
      if (body.seen > DRAIN_LIMIT) throw new Error('too large to drain');
    })
    .catch(() => {});
}

function jsonReply(status: number, value: unknown): PlainReply {
  return { status, headers: { 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify(value)) };
}

export function blockNotFound(hash: string): ApiError {
  return new ApiError(404, 'not_found', `no block ${hash}`);
}
