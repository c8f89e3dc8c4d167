import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { sha256Hex, type SqlBackupEntry } from '../../simulators/core/codecs/cloud-api.ts';
import type { CloudClient } from '../../proxy/clients/cloud/cloud-client.ts';
import { apiError, startCloudLab, type CloudLab } from './lab.ts';

let t: CloudLab;
let p: CloudClient;
beforeAll(async () => {
  t = await startCloudLab({ cache: false });
  p = await t.proxy();
});
afterAll(() => t.stop());

const h = (s: string) => sha256Hex(Buffer.from(s));

describe('snapshot manifests', () => {
  test('put, get, list by VM; ids are immutable', async () => {
    const m1 = await p.putManifest({
      vm: { id: 'vm-101', name: 'sql01' }, kind: 'full',
      disks: [{ key: 2000, capacityBytes: 1 << 30, changeId: '52 1a/3', extents: [{ offset: 0, length: 65536, hash: h('e1') }] }],
      probes: { rdp: { open: true } }, application: { sql: { instances: ['MSSQLSERVER'] } },
    });
    await p.putManifest({ id: 'snap-other-vm', vm: { id: 'vm-202' }, disks: [] });
    const m2 = await p.putManifest({ vm: { id: 'vm-101' }, kind: 'incremental', disks: [{ key: 2000, capacityBytes: 1 << 30, changeId: '52 1a/4', extents: [] }] });
    expect(await p.getManifest(m1.id!)).toEqual(m1);
    expect((await p.listManifests('vm-101')).map((m) => m.id)).toEqual([m1.id, m2.id]);
    const dup = await apiError(p.putManifest({ id: 'snap-other-vm', vm: { id: 'vm-202' }, disks: [] }));
    expect([dup.status, dup.code]).toEqual([409, 'conflict']);
    expect((await apiError(p.getManifest('snap-none'))).status).toBe(404);
    const bad = await apiError(p.putManifest({ vm: { id: 'vm-1' }, disks: [{ key: 1, capacityBytes: 1, extents: [{ offset: 0, length: 1, hash: 'zz' }] }] }));
    expect([bad.status, bad.code]).toEqual([400, 'invalid_manifest']);
  });
});

describe('SQL catalog and restore chain', () => {
  // A full (checkpoint 1000), logs every hour, a diff on the full, then a second full not
  // yet followed by logs. LSNs beyond 2^53 prove they are compared exactly.
  const big = 90_000_000_000_000_000_000n;
  const L = (n: number) => (big + BigInt(n)).toString();
  const entry = (id: string, type: SqlBackupEntry['type'], time: string, first: number, last: number, extra: Partial<SqlBackupEntry> = {}): SqlBackupEntry =>
    ({ id, database: 'Sales', instance: 'SQL01\\MSSQLSERVER', type, time, firstLsn: L(first), lastLsn: L(last), blocks: [h(id)], ...extra });

  beforeAll(async () => {
    const entries = [
      entry('full1', 'full', '2026-11-01T00:00:00Z', 900, 1100, { checkpointLsn: L(1000), databaseBackupLsn: L(0) }),
      entry('log1', 'log', '2026-11-01T01:00:00Z', 950, 2000),
      entry('log2', 'log', '2026-11-01T02:00:00Z', 2000, 3000),
      entry('diff1', 'diff', '2026-11-01T02:30:00Z', 2900, 3100, { differentialBaseLsn: L(1000), databaseBackupLsn: L(1000) }),
      entry('copy1', 'copy-only', '2026-11-01T02:40:00Z', 3050, 3150, { checkpointLsn: L(3100) }),
      entry('log3', 'log', '2026-11-01T03:00:00Z', 3000, 4000),
      entry('log4', 'log', '2026-11-01T04:00:00Z', 4000, 5000),
      entry('full2', 'full', '2026-11-01T05:00:00Z', 5100, 5300, { checkpointLsn: L(5200), databaseBackupLsn: L(1000) }),
    ];
    for (const e of entries) await p.addCatalogEntry(e);
    // Another database on the same instance must not leak into Sales' chain.
    await p.addCatalogEntry({ ...entry('hr-full', 'full', '2026-11-01T00:30:00Z', 1, 2), database: 'HR' });
  });

  test('query by database and type, LSNs as decimal strings', async () => {
    const logs = await p.queryCatalog({ database: 'Sales', type: 'log' });
    expect(logs.map((e) => e.id)).toEqual(['log1', 'log2', 'log3', 'log4']);
    expect(logs[0]!.firstLsn).toBe('90000000000000000950');
    expect((await p.queryCatalog({ database: 'HR' })).length).toBe(1);
  });

  test('point in time after the diff: full + latest diff on it + contiguous logs up to T', async () => {
    const chain = await p.restoreChain('Sales', '2026-11-01T03:30:00Z');
    expect(chain.full.id).toBe('full1');
    expect(chain.diff?.id).toBe('diff1');
    expect(chain.logs.map((l) => l.id)).toEqual(['log3', 'log4']);
    expect(chain.stopAt).toBe('2026-11-01T03:30:00.000Z');
  });

  test('point in time before the diff uses logs from the full', async () => {
    const chain = await p.restoreChain('Sales', new Date('2026-11-01T01:30:00Z'), 'SQL01\\MSSQLSERVER');
    expect(chain.diff).toBeUndefined();
    expect(chain.logs.map((l) => l.id)).toEqual(['log1', 'log2']);
  });

  test('a time past the last log of a full ends the chain there (no STOPAT)', async () => {
    const chain = await p.restoreChain('Sales', '2026-11-01T04:30:00Z');
    expect(chain.full.id).toBe('full1');
    expect(chain.logs.map((l) => l.id)).toEqual(['log3', 'log4']);
    expect([chain.stopAt, chain.restoredTo]).toEqual([null, '2026-11-01T04:00:00.000Z']);
  });

  test('after the second full the chain starts there: not full1\'s diff, no logs yet', async () => {
    const chain = await p.restoreChain('Sales', '2026-11-02T00:00:00Z');
    expect(chain.full.id).toBe('full2');
    expect(chain.diff).toBeUndefined();
    expect(chain.logs).toEqual([]);
    expect([chain.stopAt, chain.restoredTo]).toEqual([null, '2026-11-01T05:00:00.000Z']);
  });

  test('no full before T is 404 no_full_backup; unknown database 404; missing time 400', async () => {
    const e = await apiError(p.restoreChain('Sales', '2026-10-31T00:00:00Z'));
    expect([e.status, e.code]).toEqual([404, 'no_full_backup']);
    expect((await apiError(p.restoreChain('Nope', '2026-11-01T00:00:00Z'))).status).toBe(404);
    expect((await apiError(p.restoreChain('Sales', 'yesterday'))).status).toBe(400);
  });

  test('a gap in the log chain is 409 log_chain_broken', async () => {
    await p.addCatalogEntry({ ...entry('g-full', 'full', '2026-11-05T00:00:00Z', 10, 20, { checkpointLsn: L(15) }), database: 'Gappy' });
    await p.addCatalogEntry({ ...entry('g-log1', 'log', '2026-11-05T01:00:00Z', 12, 30), database: 'Gappy' });
    await p.addCatalogEntry({ ...entry('g-log3', 'log', '2026-11-05T03:00:00Z', 40, 50), database: 'Gappy' });
    const e = await apiError(p.restoreChain('Gappy', '2026-11-05T02:30:00Z'));
    expect([e.status, e.code]).toEqual([409, 'log_chain_broken']);
    expect(e.details).toMatchObject({ lsn: L(30), restorableTo: '2026-11-05T01:00:00.000Z' });
  });

  test('invalid entries are 400, duplicate ids 409', async () => {
    expect((await apiError(p.addCatalogEntry({ ...entry('bad', 'log', '2026-11-01T00:00:00Z', 5, 1) })))).toMatchObject({ status: 400 });
    expect((await apiError(p.addCatalogEntry({ ...entry('bad2', 'diff', '2026-11-01T00:00:00Z', 1, 5) })))).toMatchObject({ status: 400 });
    expect((await apiError(p.addCatalogEntry(entry('full1', 'full', '2026-11-01T00:00:00Z', 1, 5))))).toMatchObject({ status: 409 });
  });
});
