import { readLimitedBody } from '../core/net/read-body.ts';
import { ApiError } from './api-error.ts';

/** Reads a request body with a size cap (413 beyond it), so a huge upload cannot exhaust memory. */
export function readBody(request: Request, limit: number): Promise<Buffer> {
  return readLimitedBody(request, limit, (size) => new ApiError(413, { code: 'too-large', message: `body of ${size} bytes exceeds ${limit}` }));
}
