import { describe, test, expect } from 'vitest';
import { readLimitedBody } from '../../simulators/core/net/read-body.ts';
import { jsonBody as guestJson } from '../../simulators/guest/api-error.ts';
import { jsonBody as adminJson } from '../../simulators/admin/errors.ts';

const post = (body: string, headers: Record<string, string> = {}) => new Request('https://x/', { method: 'POST', body, headers });

describe('request bodies have a size cap', () => {
  test('refused by Content-Length before reading, or while streaming, in the caller\'s error form', async () => {
    const tooLarge = (size: number) => Object.assign(new Error(`too large: ${size}`), { size });
    expect((await readLimitedBody(post('hello'), 5, tooLarge)).toString()).toBe('hello');
    await expect(readLimitedBody(post('hello!'), 5, tooLarge)).rejects.toThrow('too large: 6');
    const stream = new ReadableStream({ start: (c) => (c.enqueue(new TextEncoder().encode('abc')), c.enqueue(new TextEncoder().encode('def')), c.close()) });
    const streamed = new Request('https://x/', { method: 'POST', body: stream, duplex: 'half' } as RequestInit);
    await expect(readLimitedBody(streamed, 5, tooLarge)).rejects.toThrow('too large: 6');
  });

  test('guestossvc and the admin API answer 413 to a JSON body over their limits', async () => {
    const big = JSON.stringify({ pad: 'x'.repeat(5 * 1024 * 1024) });
    await expect(guestJson(post(big))).rejects.toMatchObject({ status: 413 });
    await expect(adminJson(post(big))).rejects.toMatchObject({ status: 413, code: 'payload_too_large' });
    expect(await guestJson(post('{"a":1}'))).toEqual({ a: 1 });
    expect(await adminJson(post('{"a":1}'))).toEqual({ a: 1 });
  });
});
