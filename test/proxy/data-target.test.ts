import { describe, test, expect } from 'vitest';
import { DataTarget } from '../../proxy/flows/data-target.ts';
import { CloudApiError } from '../../proxy/clients/cloud/errors.ts';
import type { CloudClient } from '../../proxy/clients/cloud/cloud-client.ts';

/**
 * Where block data goes (docs/proxy.md, docs/faults.md `cloudcache-offline`): CloudCache while it
 * answers; after a transient failure (503 or a network error, status 0) the rest of the job goes
 * to the cloud; any other error is the job's. Judged by which stand-in client was called.
 */
type Call = [string, string];

function stub(who: string, calls: Call[], fail?: () => Error): CloudClient {
  const act = async <T>(op: string, value: T): Promise<T> => {
    calls.push([who, op]);
    if (fail) throw fail();
    return value;
  };
  return {
    missingBlocks: (hashes: string[]) => act('missing', hashes.slice(1)),
    uploadBlock: (_d: Buffer, _h: string) => act('upload', undefined),
    downloadBlock: (hash: string) => act('download', Buffer.from(`${who}:${hash}`)),
  } as unknown as CloudClient;
}

function target(cacheFail?: () => Error, withCache = true) {
  const calls: Call[] = [];
  const logs: string[] = [];
  const t = new DataTarget(stub('cloud', calls), withCache ? stub('cache', calls, cacheFail) : null, (m, l) => logs.push(`${l} ${m}`));
  return { t, calls, logs };
}

const offline = () => new CloudApiError(0, 'network', 'connect ECONNREFUSED');

describe('DataTarget', () => {
  test('no CloudCache: everything goes to the cloud', async () => {
    const { t, calls } = target(undefined, false);
    expect(t.name).toBe('cloud');
    expect(await t.missing(['a', 'b'])).toEqual(['b']);
    await t.upload(Buffer.from('x'), 'h');
    expect((await t.download('h')).toString()).toBe('cloud:h');
    expect(calls).toEqual([['cloud', 'missing'], ['cloud', 'upload'], ['cloud', 'download']]);
  });

  test('a CloudCache that answers gets the dedup check, the uploads and the reads', async () => {
    const { t, calls, logs } = target();
    expect(t.name).toBe('cloudcache');
    expect(await t.missing(['a', 'b'])).toEqual(['b']);
    await t.upload(Buffer.from('x'), 'h');
    expect((await t.download('h')).toString()).toBe('cache:h');
    expect(calls).toEqual([['cache', 'missing'], ['cache', 'upload'], ['cache', 'download']]);
    expect(logs).toEqual([]);
  });

  for (const [why, err] of [['unreachable (status 0)', offline], ['503', () => new CloudApiError(503, 'unavailable', 'busy')]] as const) {
    test(`CloudCache ${why} during the dedup check: the cloud answers, and the job stays on the cloud`, async () => {
      const { t, calls, logs } = target(err);
      expect(await t.missing(['a', 'b'])).toEqual(['b']);
      expect(t.name).toBe('cloud');
      await t.upload(Buffer.from('x'), 'h');
      expect(calls).toEqual([['cache', 'missing'], ['cloud', 'missing'], ['cloud', 'upload']]);
      expect(logs).toHaveLength(1);
      expect(logs[0]).toMatch(/^warn CloudCache unreachable during the dedup check \(.+\); sending data to the cloud directly$/);
    });
  }

  test('CloudCache unreachable during an upload: the block goes to the cloud, the warning names the upload', async () => {
    const { t, calls, logs } = target(offline);
    await t.upload(Buffer.from('x'), 'h');
    expect(calls).toEqual([['cache', 'upload'], ['cloud', 'upload']]);
    expect(logs).toEqual(['warn CloudCache unreachable during a block upload (connect ECONNREFUSED); sending data to the cloud directly']);
  });

  test('CloudCache unreachable for a restore read: read from the cloud, and later reads skip the cache', async () => {
    const { t, calls, logs } = target(offline);
    expect((await t.download('h')).toString()).toBe('cloud:h');
    expect((await t.download('k')).toString()).toBe('cloud:k');
    expect(calls).toEqual([['cache', 'download'], ['cloud', 'download'], ['cloud', 'download']]);
    expect(logs).toEqual(['warn CloudCache unreachable for restore reads (connect ECONNREFUSED); reading from the cloud']);
    expect(t.name).toBe('cloud');
  });

  for (const [why, err] of [
    ['a non-transient API error (404)', () => new CloudApiError(404, 'not_found', 'no such block')],
    ['a non-API error', () => new Error('hash mismatch')],
  ] as const) {
    test(`${why} from CloudCache is the job's error, not a reason to switch`, async () => {
      const { t, calls, logs } = target(err);
      const message = err().message;
      await expect(t.download('h')).rejects.toThrow(message);
      await expect(t.missing(['a'])).rejects.toThrow(message);
      await expect(t.upload(Buffer.from('x'), 'h')).rejects.toThrow(message);
      expect(calls.every(([who]) => who === 'cache')).toBe(true);
      expect(calls).toHaveLength(3);
      expect(t.name).toBe('cloudcache');
      expect(logs).toEqual([]);
    });
  }
});
