import { HttpResponse } from 'msw';
import { isBlockHash, MAX_BLOCK_BYTES, MAX_JSON_BYTES, type ApiErrorBody } from '../core/codecs/cloud-api.ts';
import { readLimitedBody } from '../core/net/read-body.ts';
import { parseJsonBounded } from '../core/codecs/bounded-json.ts';

/** An error in the API's own form: HTTP status + JSON {code, message}; thrown anywhere in a handler. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** The largest body any cloud or CloudCache route takes (a JSON request; blocks are smaller). */
export const MAX_REQUEST_BYTES = Math.max(MAX_JSON_BYTES, MAX_BLOCK_BYTES);

/** How the socket adapter answers what no route could (413, 405, 400...): in the API's own form. */
export const serveOptions = { maxBodyBytes: MAX_REQUEST_BYTES, error: (status: number, code: string, message: string) => errorResponse(new ApiError(status, code, message)) };

export function errorResponse(err: ApiError): Response {
  const body: ApiErrorBody = { code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) };
  return HttpResponse.json(body, { status: err.status, headers: err.headers });
}

export function unavailable(retryAfterSeconds: number, message: string, code = 'unavailable'): ApiError {
  return new ApiError(503, code, message, { retryAfterSeconds }, { 'retry-after': String(retryAfterSeconds) });
}

export interface RouteArgs {
  request: Request;
  params: Record<string, string | readonly string[] | undefined>;
}
type Resolver = (args: RouteArgs) => Promise<Response> | Response;

/**
 * Wraps a resolver so a thrown ApiError becomes its JSON error and anything else a 500 with the
 * message, so the server keeps serving after bad input.
 */
export function guarded(before: (request: Request) => Promise<void> | void, resolver: Resolver): Resolver {
  return async (args) => {
    try {
      await before(args.request);
      return await resolver(args);
    } catch (err) {
      // An unread body would stall the keep-alive connection (or reset it mid-upload): drain it first.
      await drain(args.request);
      if (err instanceof ApiError) return errorResponse(err);
      return errorResponse(new ApiError(500, 'internal', (err as Error).message));
    }
  };
}

/** Bodies larger than this are not drained: the connection is dropped instead. */
export const DRAIN_LIMIT = 16 * 1024 * 1024;

async function drain(request: Request): Promise<void> {
  if (!request.body || request.body.locked) return;
  const reader = request.body.getReader();
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      total += value.byteLength;
      if (total > DRAIN_LIMIT) {
        await reader.cancel();
        return;
      }
    }
  } catch {
    // The client went away: nothing left to drain.
  }
}

/** Reads a body, refusing more than `limit` bytes with 413 (by Content-Length first, then while streaming). */
export function readBody(request: Request, limit: number): Promise<Buffer> {
  return readLimitedBody(request, limit, (size) => tooLarge(size, limit));
}

export function tooLarge(size: number, limit: number): ApiError {
  return new ApiError(413, 'payload_too_large', `request body of ${size} bytes exceeds the limit of ${limit} bytes`, { limit });
}

export async function readJson<T = Record<string, unknown>>(request: Request, limit = MAX_JSON_BYTES): Promise<T> {
  const body = await readBody(request, limit);
  let value: unknown;
  try {
    value = parseJsonBounded(body.toString('utf8'));
  } catch (err) {
    throw new ApiError(400, 'invalid_json', `body is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ApiError(400, 'invalid_json', 'body must be a JSON object');
  return value as T;
}

export function requireHash(value: unknown, what = 'hash'): string {
  if (!isBlockHash(value)) throw new ApiError(400, 'invalid_hash', `${what} must be 64 lower-case hex digits (SHA-256), got ${JSON.stringify(value)}`);
  return value;
}

export function requireString(body: Record<string, unknown>, field: string): string {
  const v = body[field];
  if (typeof v !== 'string' || v === '') throw new ApiError(400, 'invalid_request', `field "${field}" must be a non-empty string`);
  return v;
}

export function bearerOf(request: Request): string | undefined {
  const m = /^Bearer\s+(\S+)$/i.exec(request.headers.get('authorization') ?? '');
  return m?.[1];
}

export function basicOf(request: Request): { user: string; password: string } | undefined {
  const m = /^Basic\s+(\S+)$/i.exec(request.headers.get('authorization') ?? '');
  if (!m) return undefined;
  const text = Buffer.from(m[1]!, 'base64').toString('utf8');
  const i = text.indexOf(':');
  return i < 0 ? undefined : { user: text.slice(0, i), password: text.slice(i + 1) };
}

export function unauthorized(message: string): ApiError {
  return new ApiError(401, 'unauthorized', message, undefined, { 'www-authenticate': 'Bearer realm="bpsim-cloud"' });
}
