import { ApiError } from './api-error.ts';

/** Reads a request body with a size cap (413 beyond it), so a huge upload cannot exhaust memory. */
export async function readBody(request: Request, limit: number): Promise<Buffer> {
  const declared = Number(request.headers.get('content-length') ?? NaN);
  if (declared > limit) throw new ApiError(413, { code: 'too-large', message: `body of ${declared} bytes exceeds ${limit}` });
  const chunks: Buffer[] = [];
  let size = 0;
  if (!request.body) return Buffer.alloc(0);
  for await (const c of request.body as unknown as AsyncIterable<Uint8Array>) {
    size += c.length;
    if (size > limit) throw new ApiError(413, { code: 'too-large', message: `body exceeds ${limit} bytes` });
    chunks.push(Buffer.from(c));
  }
  return Buffer.concat(chunks);
}
