import type { IncomingMessage } from 'node:http';

export class BodyTooLarge extends Error {
  constructor(
    readonly size: number,
    readonly limit: number,
  ) {
    super(`request body of ${size} bytes exceeds the limit of ${limit} bytes`);
  }
}

export interface CappedBody {
  stream: ReadableStream<Uint8Array>;
  /** Bytes past the cap that were seen, once the cap was hit. */
  readonly over: number | undefined;
  /** Bytes of the body read so far. */
  readonly seen: number;
  /** True once the reader gave up (cancel) or the cap was hit: the rest of the body will not be read. */
  readonly abandoned: boolean;
  /** Reads and drops the rest, so keep-alive goes on; past `budget` more bytes, reading stops and `onOver` runs. */
  discard(budget: number, onOver: () => void): void;
  /** Reads no more of it (the connection is closing). */
  stop(): void;
}

/**
 * A request body as a Web stream that reads from the socket only when asked (backpressure) and
 * counts every byte, chunked or not: past `limit` it stops reading and errors, so an oversized
 * upload costs at most one chunk over the cap. Unlike Readable.toWeb, cancel() only stops
 * reading (it does not destroy the socket), so the server can still answer before closing.
 */
export function cappedBody(req: IncomingMessage, limit: number): CappedBody {
  let seen = 0;
  let over: number | undefined;
  let abandoned = false;
  let discarding = false;
  let budget = 0;
  let overBudget = () => {};
  const stream = new ReadableStream<Uint8Array>(
    {
      start(controller) {
        const settle = (f: () => void) => {
          try {
            f();
          } catch {
            // Already closed or errored: nothing left to tell the reader.
          }
        };
        req.on('data', (chunk: Buffer) => {
          if (discarding) {
            budget -= chunk.length;
            if (budget < 0) {
              discarding = false;
              req.pause();
              overBudget();
            }
            return;
          }
          if (over !== undefined || abandoned) return;
          seen += chunk.length;
          if (seen > limit) {
            over = seen;
            req.pause();
            settle(() => controller.error(new BodyTooLarge(seen, limit)));
            return;
          }
          controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length));
          if ((controller.desiredSize ?? 0) <= 0) req.pause();
        });
        req.once('end', () => settle(() => controller.close()));
        req.once('error', (err) => settle(() => controller.error(err)));
        req.once('close', () => {
          if (!req.complete) settle(() => controller.error(new Error('the client closed the connection before the body was complete')));
        });
        req.pause();
      },
      pull() {
        if (over === undefined && !abandoned) req.resume();
      },
      cancel() {
        abandoned = true;
        req.pause();
      },
    },
    { highWaterMark: 4 },
  );
  return {
    stream,
    get over() {
      return over;
    },
    get seen() {
      return seen;
    },
    get abandoned() {
      return abandoned || over !== undefined;
    },
    stop() {
      abandoned = true;
      req.pause();
    },
    discard(bytes, onOver) {
      abandoned = discarding = true;
      budget = bytes;
      overBudget = onOver;
      req.resume();
    },
  };
}
