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
  /** The body as a Web stream (what msw handlers read); made on first use. Use either this or `consume`. */
  readonly stream: ReadableStream<Uint8Array>;
  /**
   * Hands every chunk to `onChunk` as it arrives off the socket (no Web stream, no copy) and
   * settles when the body ends: rejects with BodyTooLarge past the cap, or with what `onChunk`
   * threw (the rest is then not read). For routes that handle bytes as they come (block uploads).
   */
  consume(onChunk: (chunk: Buffer) => void): Promise<void>;
  /** True once `stream` or `consume` took the body. */
  readonly taken: boolean;
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

/** Where the counted chunks go: a Web stream's controller or a direct consumer. */
interface Sink {
  /** false: stop reading until asked again. */
  push(chunk: Buffer): boolean;
  close(err?: Error): void;
}

/**
 * A request body that reads from the socket only when asked (backpressure) and counts every byte,
 * chunked or not: past `limit` it stops reading and errors, so an oversized upload costs at most
 * one chunk over the cap. Unlike Readable.toWeb, cancel() only stops reading (it does not destroy
 * the socket), so the server can still answer before closing.
 */
export function cappedBody(req: IncomingMessage, limit: number): CappedBody {
  let seen = 0;
  let over: number | undefined;
  let abandoned = false;
  let discarding = false;
  let budget = 0;
  let overBudget = () => {};
  let sink: Sink | undefined;
  // How the body ended before anyone asked for it (a client that hung up on a paused request).
  let ended: { err?: Error } | undefined;
  const finish = (err?: Error) => {
    if (ended) return;
    ended = { err };
    sink?.close(err);
  };
  const attach = (s: Sink) => {
    if (sink) throw new Error('a request body is read once');
    sink = s;
    if (ended) s.close(ended.err);
    else if (over === undefined && !abandoned) req.resume();
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
      finish(new BodyTooLarge(seen, limit));
      return;
    }
    if (!sink!.push(chunk)) req.pause();
  });
  req.once('end', () => finish());
  req.once('error', (err) => finish(err));
  req.once('close', () => {
    if (!req.complete) finish(new Error('the client closed the connection before the body was complete'));
  });
  req.pause();

  let web: ReadableStream<Uint8Array> | undefined;
  const webStream = () =>
    new ReadableStream<Uint8Array>(
      {
        start(controller) {
          const settle = (f: () => void) => {
            try {
              f();
            } catch {
              // Already closed or errored: nothing left to tell the reader.
            }
          };
          sink = {
            push(chunk) {
              controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length));
              return (controller.desiredSize ?? 0) > 0;
            },
            close: (err) => settle(() => (err ? controller.error(err) : controller.close())),
          };
          if (ended) sink.close(ended.err);
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
    get stream() {
      return (web ??= webStream());
    },
    get taken() {
      return sink !== undefined;
    },
    consume(onChunk) {
      return new Promise<void>((resolve, reject) => {
        let failed = false;
        attach({
          push(chunk) {
            if (failed) return false;
            try {
              onChunk(chunk);
              return true;
            } catch (err) {
              failed = abandoned = true;
              reject(err);
              return false;
            }
          },
          close: (err) => (err ? reject(err) : resolve()),
        });
      });
    },
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
