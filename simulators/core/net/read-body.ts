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
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => {});
      throw tooLarge(total);
    }
    // A view, not a copy: the chunk is ours alone (the stream made it for this read).
    chunks.push(Buffer.from(value.buffer, value.byteOffset, value.byteLength));
  }
  return Buffer.concat(chunks);
}
