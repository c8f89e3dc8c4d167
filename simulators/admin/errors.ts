import { HttpResponse } from 'msw';
import { readLimitedBody } from '../core/net/read-body.ts';
import { parseJsonBounded } from '../core/codecs/bounded-json.ts';

/** An error the admin API answers with `status` and `{code, message}`; scenario runners may throw it too. */
export class AdminError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export const badRequest = (message: string, code = 'bad_request') => new AdminError(400, code, message);
export const notFound = (message: string, code = 'not_found') => new AdminError(404, code, message);

export function errorResponse(status: number, code: string, message: string, headers?: Record<string, string>): Response {
  return HttpResponse.json({ code, message }, { status, headers });
}

/** Turns what a handler threw into the API's error form; anything unexpected is a 500 that says what broke. */
export function toErrorResponse(err: unknown): Response {
  if (err instanceof AdminError) return errorResponse(err.status, err.code, err.message);
  return errorResponse(500, 'internal', `admin API failed: ${(err as Error)?.message ?? String(err)}`);
}

type Resolver = (args: { request: Request; params: Record<string, string | readonly string[] | undefined> }) => Response | Promise<Response>;

/** Wraps a route so whatever it throws is answered as {code, message} with the right status. */
export const guarded =
  (resolve: Resolver): Resolver =>
  async (args) => {
    try {
      return await resolve(args);
    } catch (err) {
      return toErrorResponse(err);
    }
  };

/** Largest JSON body the admin API reads (a scenario in YAML fits many times over); also the listener's body cap. */
export const MAX_JSON_BYTES = 4 * 1024 * 1024;

/** Reads a JSON object body; an empty body is `{}`, anything else that is not an object is a 400, more than 4 MiB a 413. */
export async function jsonBody(request: Request): Promise<Record<string, unknown>> {
  const body = await readLimitedBody(request, MAX_JSON_BYTES, (size) => new AdminError(413, 'payload_too_large', `request body of ${size} bytes exceeds the limit of ${MAX_JSON_BYTES} bytes`));
  const text = body.toString('utf8');
  if (text.trim() === '') return {};
  let value: unknown;
  try {
    value = parseJsonBounded(text);
  } catch (err) {
    throw badRequest(`the request body is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw badRequest('the request body must be a JSON object');
  return value as Record<string, unknown>;
}
