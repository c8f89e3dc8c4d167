import { BodyTooLarge } from './capped-body.ts';

/**
 * Reads a Fetch request body (what msw handlers get) with a size cap, refusing by Content-Length
 * first and then while streaming, so a huge upload cannot exhaust memory. `tooLarge` builds the
 * error in the component's own form (cloud JSON, guestossvc JSON...).
 */
export async function readLimitedBody(request: Request, limit: number, tooLarge: (size: number) => Error): Promise<Buffer> {
  const declared = Number(request.headers.get('content-length') ?? NaN);
  if (declared > limit) throw tooLarge(declared);
  if (!request.body) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  let total = 0;
  const reader = request.body.getReader();
  for (;;) {
    let chunk: ReadableStreamReadResult<Uint8Array>;
    try {
      chunk = await reader.read();
    } catch (err) {
      // The listener's own cap (capped-body.ts) is hit first when it is the smaller one.
      if (err instanceof BodyTooLarge) throw tooLarge(err.size);
      throw err;
    }
    const { done, value } = chunk;
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      // Not awaited: cancelling one branch of a teed body (a cloned Request) settles only when the
      // other branch is cancelled too, and the answer must not wait for that.
      void reader.cancel().catch(() => {});
      throw tooLarge(total);
    }
    // A view, not a copy: the chunk is ours alone (the stream made it for this read).
    chunks.push(Buffer.from(value.buffer, value.byteOffset, value.byteLength));
  }
  return Buffer.concat(chunks);
}
