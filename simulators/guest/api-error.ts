import { HttpResponse } from 'msw';
import type { GuestApiError } from '../core/codecs/guest-api.ts';
import { SqlError } from './sql/errors.ts';
import { VssError } from './plugin/vss.ts';
import { readLimitedBody } from '../core/net/read-body.ts';
import { parseJsonBounded } from '../core/codecs/bounded-json.ts';
import { MAX_STREAM_BYTES } from '../core/codecs/sql-backup-stream.ts';

/** An error in the guest APIs' own form: HTTP status + { code, message, sqlErrors?, vss? }. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: GuestApiError,
  ) {
    super(body.message);
  }
}

export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof SqlError) return new ApiError(409, { code: 'sql-error', message: err.message, sqlErrors: err.messages });
  if (err instanceof VssError) {
    return new ApiError(409, {
      code: 'vss-error',
      message: err.message,
      vss: { writer: err.writer.name, state: err.writer.state, stateText: err.writer.stateText, hresult: err.failure.hresult, error: err.failure.error },
    });
  }
  return new ApiError(500, { code: 'internal', message: (err as Error)?.message ?? String(err) });
}

export function errorResponse(err: unknown): Response {
  const e = toApiError(err);
  return HttpResponse.json(e.body, { status: e.status });
}

/** The largest body guestossvc and the plugin take (a SQL backup stream); JSON routes cap lower. */
const MAX_REQUEST_BYTES = MAX_STREAM_BYTES;

/** How the socket adapter answers what no route could (413, 405, 400...): in the guest APIs' kebab-case form. */
export const serveOptions = {
  maxBodyBytes: MAX_REQUEST_BYTES,
  error: (status: number, code: string, message: string) =>
    errorResponse(new ApiError(status, { code: code === 'payload_too_large' ? 'too-large' : code.replace(/_/g, '-'), message })),
};

/** Runs a handler body and turns thrown errors into their JSON response. */
export async function guarded(fn: () => Promise<Response> | Response): Promise<Response> {
  try {
    return await fn();
  } catch (err) {
    return errorResponse(err);
  }
}

/** Largest JSON request guestossvc and the plugin read: requests are small; a flood is refused with 413. */
const MAX_JSON_BYTES = 1024 * 1024;

export async function jsonBody<T>(request: Request): Promise<T> {
  const body = await readLimitedBody(request, MAX_JSON_BYTES, (size) => new ApiError(413, { code: 'too-large', message: `body of ${size} bytes exceeds ${MAX_JSON_BYTES}` }));
  try {
    return parseJsonBounded(body.toString('utf8')) as T;
  } catch (err) {
    throw new ApiError(400, { code: 'bad-request', message: `body must be JSON: ${(err as Error).message}` });
  }
}
