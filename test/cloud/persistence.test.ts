import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { sha256Hex } from '../../simulators/core/codecs/cloud-api.ts';
import { CloudClient } from '../../proxy/clients/cloud/cloud-client.ts';
import { ACTIVATION, apiError, block, startCloudLab, until } from './lab.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bpsim-cloud-state-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

test('a lab restarted on the same state dir keeps credentials, blocks, manifests, catalog, jobs and pending cache data', async () => {
  const data = block('persist');
  const hash = sha256Hex(data);
  const pending = block('pending-at-stop');
  let token: string;
  let manifestId: string;
  let jobId: string;
  {
    const t = await startCloudLab({ stateDir: dir });
    try {
      const p = new CloudClient({ http: t.http, host: 'cloud.lab.test', retry: { attempts: 1 } });
      token = (await p.activate(ACTIVATION, 'persistent-proxy')).token;
      await p.uploadBlock(data);
      manifestId = (await p.putManifest({ vm: { id: 'vm-7' }, disks: [{ key: 2000, capacityBytes: data.length, extents: [{ offset: 0, length: data.length, hash }] }] })).id!;
      await p.addCatalogEntry({ database: 'Sales', instance: 'SQL01', type: 'full', firstLsn: '10', lastLsn: '20', checkpointLsn: '15', time: '2026-11-01T00:00:00Z', blocks: [hash] });
      jobId = t.lab.world.cloud!.queueJob({ type: 'backup' }).id;
      t.lab.faults.set({ target: 'cloudcache', type: 'cloudcache-sync-stalled', params: {} });
      await p.withHost('cloudcache.lab.test').uploadBlock(pending);
    } finally {
      await t.stop();
    }
  }
  const t = await startCloudLab({ stateDir: dir });
  try {
    const p = new CloudClient({ http: t.http, host: 'cloud.lab.test', token, retry: { attempts: 1 } });
    expect((await p.downloadBlock(hash)).equals(data)).toBe(true);
    expect((await p.getManifest(manifestId)).disks[0]!.extents[0]!.hash).toBe(hash);
    expect((await p.restoreChain('Sales', '2026-11-02T00:00:00Z')).full.blocks).toEqual([hash]);
    expect((await p.claimJob())!.id).toBe(jobId);
    expect((await p.uploadBlock(data)).stored).toBe(false);
    // Pending data of the cache was kept and syncs after the restart.
    await until('pending cache data to reach the cloud', async () => (await p.missingBlocks([sha256Hex(pending)])).length === 0);
    // Files are verified on read too.
    t.lab.faults.set({ target: 'cloud', type: 'block-corrupted', params: { hash }, remaining: 1 });
    expect((await apiError(p.downloadBlock(hash))).code).toBe('block_corrupted');
    expect(await p.missingBlocks([hash])).toEqual([hash]);
  } finally {
    await t.stop();
  }
});
