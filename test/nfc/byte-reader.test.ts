import { afterEach, describe, expect, test, vi } from 'vitest';
import { PassThrough, Readable } from 'node:stream';
import { ByteReader, LineTooLongError, ReadTimeoutError, StreamEndedError } from '../../simulators/core/codecs/nfc/byte-reader.ts';

/*
 * ByteReader over an in-memory stream whose chunk boundaries the test chooses: exact-length reads
 * across chunks, lines, the end and errors of the stream with their messages, the unread-bytes cap
 * (the source is paused above it, resumed at half), and deadlines under fake timers (no waiting).
 */
const flush = () => new Promise<void>((r) => setImmediate(r));
function source(maxBuffered?: number, timeoutMs?: number) {
  const s = new PassThrough();
  return { s, r: new ByteReader(s, maxBuffered, timeoutMs) };
}
/** Writes each chunk and lets it reach the reader. */
async function feed(s: PassThrough, ...chunks: string[]): Promise<void> {
  for (const c of chunks) s.write(Buffer.from(c, 'latin1'));
  await flush();
}
const text = (b: Buffer | undefined) => b?.toString('latin1');
afterEach(() => vi.useRealTimers());

describe('exact-length reads', () => {
  test('read takes exactly n bytes across chunk boundaries, the rest stays available', async () => {
    const { s, r } = source();
    await feed(s, 'ab', 'cde', 'f');
    expect(r.available).toBe(6);
    expect(text(await r.read(4))).toBe('abcd');
    expect(r.available).toBe(2);
    expect(text(await r.read(1))).toBe('e');
    expect(text(await r.read(1))).toBe('f');
    expect(r.available).toBe(0);
  });

  test('a read waits until its last byte arrives', async () => {
    const { s, r } = source();
    const p = r.read(5);
    await feed(s, 'ab');
    await feed(s, 'cdefg');
    expect(text(await p)).toBe('abcde');
    expect(text(await r.read(2))).toBe('fg');
  });

  test('tryRead gives the bytes only when all are here', async () => {
    const { s, r } = source();
    await feed(s, 'abc');
    expect(r.tryRead(4)).toBeUndefined();
    expect(text(r.tryRead(3))).toBe('abc');
    expect(r.tryRead(1)).toBeUndefined();
  });

  test('zero bytes (an empty name in CONNECTION_DATA) read as an empty buffer, also with nothing buffered', async () => {
    const { s, r } = source();
    expect(text(r.tryRead(0))).toBe('');
    expect(text(await r.read(0))).toBe('');
    await feed(s, 'x');
    expect(text(await r.read(0))).toBe('');
    expect(text(await r.read(1))).toBe('x');
  });

  test('readInto copies across chunks to the given offset, waiting for late bytes', async () => {
    const { s, r } = source();
    await feed(s, 'ab', 'c');
    const target = Buffer.from('........');
    const p = r.readInto(target, 2, 5);
    await feed(s, 'de', 'fg');
    await p;
    expect(text(target)).toBe('..abcde.');
    expect(text(await r.read(2))).toBe('fg');
  });

  test('skip discards n bytes across chunks, waiting for late bytes', async () => {
    const { s, r } = source();
    await feed(s, 'ab', 'cd');
    const p = r.skip(5);
    await feed(s, 'efg');
    await p;
    expect(text(await r.read(2))).toBe('fg');
  });
});

describe('reads that start inside a chunk and span the next', () => {
  test('read: the rest of a chunk and the start of the next', async () => {
    const { s, r } = source();
    await feed(s, 'abcd', 'efg');
    expect(text(await r.read(1))).toBe('a');
    expect(text(await r.read(5))).toBe('bcdef');
    expect(text(await r.read(1))).toBe('g');
  });

  test('readInto: from inside a chunk, and never past n into a longer chunk', async () => {
    const { s, r } = source();
    await feed(s, 'abcd', 'ef');
    await r.read(1);
    const target = Buffer.from('........');
    await r.readInto(target, 1, 4);
    expect(text(target)).toBe('.bcde...');
    await feed(s, 'ghijkl');
    const t2 = Buffer.from('......');
    await r.readInto(t2, 0, 3);
    expect(text(t2)).toBe('fgh...');
    expect(text(await r.read(4))).toBe('ijkl');
  });

  test('readInto with nothing buffered waits, chunk by chunk', async () => {
    const { s, r } = source();
    const target = Buffer.alloc(4);
    const p = r.readInto(target, 0, 4);
    await feed(s, 'wx');
    await feed(s, 'yz');
    await p;
    expect(text(target)).toBe('wxyz');
  });

  test('skip: from inside a chunk into the next, and down to exactly the last buffered byte', async () => {
    const { s, r } = source(undefined, 1000);
    await feed(s, 'abcd', 'efg');
    await r.read(1);
    await r.skip(4);
    expect(text(await r.read(2))).toBe('fg');
    await feed(s, 'h', 'i');
    await r.skip(2);
    expect(r.available).toBe(0);
  });
});

describe('lines', () => {
  test('an empty line, CRLF or LF, is an empty string', async () => {
    const { s, r } = source();
    await feed(s, '\r\n\nx\n');
    expect(await r.readLine(8)).toBe('');
    expect(await r.readLine(8)).toBe('');
    expect(await r.readLine(8)).toBe('x');
  });

  test('CRLF and LF lines, split over chunks, without their terminator; a CR inside is kept', async () => {
    const { s, r } = source();
    await feed(s, '220 Ba', 'nner\r', '\nUSER root\nA\rB\r\n');
    expect(await r.readLine(64)).toBe('220 Banner');
    expect(await r.readLine(64)).toBe('USER root');
    expect(await r.readLine(64)).toBe('A\rB');
  });

  test('a line waits for its LF', async () => {
    const { s, r } = source();
    const p = r.readLine(64);
    await feed(s, 'QU');
    await feed(s, 'IT\r\nnext');
    expect(await p).toBe('QUIT');
    expect(r.available).toBe(4);
  });

  test('maxLength counts the terminator: 7 bytes and LF fit in 8, 8 bytes and LF do not', async () => {
    const ok = source();
    await feed(ok.s, '1234567\n');
    expect(await ok.r.readLine(8)).toBe('1234567');
    const long = source();
    await feed(long.s, '12345678\n');
    await expect(long.r.readLine(8)).rejects.toThrow(new LineTooLongError(8));
    await expect(long.r.readLine(8)).rejects.toThrow('line longer than 8 bytes');
  });

  test('a line still without LF at maxLength bytes is refused before more arrive', async () => {
    const { s, r } = source();
    const p = r.readLine(8).catch((e: unknown) => e);
    await feed(s, '1234');
    await feed(s, '5678');
    expect(await p).toBeInstanceOf(LineTooLongError);
  });
});

describe('the end of the stream', () => {
  test('in the middle of a message: how many of how many bytes', async () => {
    const { s, r } = source();
    await feed(s, 'ab');
    const p = r.read(4).catch((e: unknown) => e);
    s.end();
    const err = await p;
    expect(err).toBeInstanceOf(StreamEndedError);
    expect(err).toMatchObject({ message: 'connection closed in the middle of a message (2 of 4 bytes)', wanted: 4, got: 2 });
  });

  test('between messages: "connection closed", also for every later read', async () => {
    const { s, r } = source();
    await feed(s, 'ab');
    s.end();
    expect(text(await r.read(2))).toBe('ab');
    await expect(r.read(1)).rejects.toBeInstanceOf(StreamEndedError);
    await expect(r.read(1)).rejects.toThrow(/^connection closed$/);
    await expect(r.readLine(8)).rejects.toThrow(/^connection closed$/);
    await expect(r.skip(1)).rejects.toThrow(/^connection closed$/);
  });

  test('bytes that arrived before the end can still be read', async () => {
    const { s, r } = source();
    s.end(Buffer.from('xyz'));
    await flush();
    expect(text(await r.read(3))).toBe('xyz');
  });

  test("'end' without 'close' (a half-open stream) ends reads", async () => {
    const s = new Readable({ read() {}, autoDestroy: false });
    const r = new ByteReader(s, undefined, 1000);
    const p = r.read(4).catch((e: unknown) => e);
    s.push('ab');
    s.push(null);
    expect(await p).toMatchObject({ message: 'connection closed in the middle of a message (2 of 4 bytes)' });
    expect(s.destroyed).toBe(false);
  });

  test("'close' without 'end' (a destroyed socket) ends reads too", async () => {
    const { s, r } = source();
    const p = r.read(1);
    s.destroy();
    await expect(p).rejects.toThrow(/^connection closed$/);
  });

  test('a stream error rejects the waiting read and every later one with that error', async () => {
    const { s, r } = source();
    const p = r.read(1);
    const boom = new Error('ECONNRESET');
    s.destroy(boom);
    await expect(p).rejects.toBe(boom);
    await expect(r.read(1)).rejects.toBe(boom);
  });

  test('two reads at once are a programming error', async () => {
    const { s, r } = source();
    const first = r.read(2);
    await expect(r.read(1)).rejects.toThrow('ByteReader: concurrent reads');
    await feed(s, 'ab');
    expect(text(await first)).toBe('ab');
  });
});

describe('deadlines (fake timers)', () => {
  test('a read with no data before its deadline fails; the reader is usable afterwards', async () => {
    vi.useFakeTimers();
    const { s, r } = source(1024, 5000);
    const p = r.read(2, 50);
    const caught = p.catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(49);
    s.write('a');
    await vi.advanceTimersByTimeAsync(1);
    const err = await caught;
    expect(err).toBeInstanceOf(ReadTimeoutError);
    expect((err as Error).message).toBe('no data for 50 ms');
    s.write('b');
    await vi.advanceTimersByTimeAsync(0);
    expect(text(await r.read(2))).toBe('ab');
  });

  test('the default deadline is the constructor\'s', async () => {
    vi.useFakeTimers();
    const { r } = source(1024, 300);
    const caught = r.readLine(16).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(300);
    expect(await caught).toMatchObject({ message: 'no data for 300 ms' });
  });

  test('deadline 0 or Infinity: the read waits as long as it takes', async () => {
    vi.useFakeTimers();
    for (const timeout of [0, Infinity]) {
      const { s, r } = source(1024, 10);
      let settled = false;
      const p = r.read(1, timeout).finally(() => (settled = true));
      await vi.advanceTimersByTimeAsync(3_600_000);
      expect(settled).toBe(false);
      s.write('z');
      await vi.advanceTimersByTimeAsync(0);
      expect(text(await p)).toBe('z');
    }
  });

  test("a read that got its data in time leaves no deadline behind to cut the next read short", async () => {
    vi.useFakeTimers();
    const { s, r } = source(1024, 100);
    const first = r.read(1);
    s.write('a');
    await vi.advanceTimersByTimeAsync(0);
    expect(text(await first)).toBe('a');
    let second: string | undefined;
    const p = r.read(1, 1000).then((b) => (second = text(b)));
    await vi.advanceTimersByTimeAsync(150); // past the first read's deadline
    s.write('b');
    await vi.advanceTimersByTimeAsync(0);
    expect(second).toBe('b');
    await p;
  });

  test('data in time clears the deadline (no late rejection of the next read)', async () => {
    vi.useFakeTimers();
    const { s, r } = source(1024, 100);
    const p = r.read(1);
    s.write('a');
    await vi.advanceTimersByTimeAsync(0);
    expect(text(await p)).toBe('a');
    s.write('b');
    await vi.advanceTimersByTimeAsync(0);
    await vi.advanceTimersByTimeAsync(1000);
    expect(text(await r.read(1))).toBe('b');
  });
});

describe('the unread-bytes cap', () => {
  test('more than maxBuffered unread bytes pause the source; reading down to half resumes it', async () => {
    const { s, r } = source(8);
    await feed(s, '12345678');
    expect(s.isPaused()).toBe(false);
    await feed(s, '9');
    expect(s.isPaused()).toBe(true);
    await r.read(4); // 5 left, above half of 8
    expect(s.isPaused()).toBe(true);
    await r.read(1); // 4 left
    expect(s.isPaused()).toBe(false);
    await feed(s, 'abcde'); // 9 unread again
    expect(s.isPaused()).toBe(true);
  });

  test('a read larger than the cap resumes the source and completes', async () => {
    const { s, r } = source(4);
    await feed(s, '123456');
    expect(s.isPaused()).toBe(true);
    const p = r.read(10);
    expect(s.isPaused()).toBe(false);
    await feed(s, 'abcd');
    expect(text(await p)).toBe('123456abcd');
    await feed(s, '12345'); // above the cap again: paused again
    expect(s.isPaused()).toBe(true);
  });

  test('a stream handed over paused is resumed', async () => {
    const s = new PassThrough();
    s.pause();
    const r = new ByteReader(s);
    s.write('hi');
    await flush();
    expect(text(await r.read(2))).toBe('hi');
  });
});

describe('detach', () => {
  test('hands back the unread bytes, pauses the stream and stops listening', async () => {
    const { s, r } = source();
    await feed(s, 'ab', 'cd');
    await r.read(1);
    expect(text(r.detach())).toBe('bcd');
    expect(r.available).toBe(0);
    expect(s.isPaused()).toBe(true);
    for (const ev of ['data', 'end', 'close', 'error']) expect(s.listenerCount(ev), ev).toBe(0);
    s.write('later');
    expect(text(s.read() as Buffer)).toBe('later');
  });

  test('with nothing unread: an empty buffer', () => {
    const { r } = source();
    expect(r.detach().length).toBe(0);
  });
});
