import type { Duplex } from 'node:stream';
import { ioDeadline } from './deadline.ts';

export interface ReadFrameOptions {
  /** Bytes to buffer at most before giving up (a 1 MB "line" must not be buffered). */
  limit: number;
  timeoutMs: number;
  /**
   * Given everything read so far: the frame's full length once it is known, undefined to keep
   * reading. Throw to reject garbage as early as the first bytes allow.
   */
  frameLength(buf: Buffer): number | undefined;
}

export class FrameError extends Error {
  constructor(
    message: string,
    readonly reason: 'garbage' | 'too-long' | 'timeout' | 'closed',
    /** What had been read when it failed (for a trace or a probe's detail). */
    readonly partial: Buffer,
  ) {
    super(message);
  }
}

/**
 * Reads one frame from a stream with a byte limit and a deadline, for small handshakes (an SSH
 * identification line, an X.224 connection PDU). Resolves with the frame and whatever followed it;
 * leaves the stream paused with its 'data' listener removed, so the caller decides what comes next.
 */
export function readFrame(stream: Duplex, opts: ReadFrameOptions): Promise<{ frame: Buffer; rest: Buffer }> {
  return new Promise((resolve, reject) => {
    let buf: Buffer = Buffer.alloc(0);
    const finish = (outcome: { frame: Buffer; rest: Buffer } | FrameError) => {
      deadline.clear();
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('close', onEnd);
      stream.off('error', onEnd);
      stream.pause();
      if (outcome instanceof FrameError) reject(outcome);
      else resolve(outcome);
    };
    const deadline = ioDeadline(opts.timeoutMs, () => finish(new FrameError(`nothing complete within ${opts.timeoutMs} ms`, 'timeout', buf)));
    const onEnd = () => finish(new FrameError(`peer closed after ${buf.length} bytes`, 'closed', buf));
    const onData = (chunk: Buffer) => {
      buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
      let length: number | undefined;
      try {
        length = opts.frameLength(buf);
      } catch (err) {
        return finish(new FrameError((err as Error).message, 'garbage', buf.subarray(0, 64)));
      }
      if (length !== undefined && length > opts.limit) return finish(new FrameError(`frame of ${length} bytes exceeds ${opts.limit}`, 'too-long', buf.subarray(0, 64)));
      if (length !== undefined && buf.length >= length) return finish({ frame: buf.subarray(0, length), rest: buf.subarray(length) });
      if (buf.length >= opts.limit) finish(new FrameError(`no complete frame in ${buf.length} bytes (limit ${opts.limit})`, 'too-long', buf.subarray(0, 64)));
    };
    stream.on('data', onData);
    stream.once('end', onEnd);
    stream.once('close', onEnd);
    stream.once('error', onEnd);
    stream.resume();
  });
}
