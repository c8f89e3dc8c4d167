import { describe, test, expect, beforeAll, afterAll } from 'vitest';
import type { Lab } from '../../simulators/lab.ts';
import type { BackupProxy } from '../../proxy/backup-proxy.ts';
import { startTestLab } from '../helpers/lab.ts';
import { proxyFor } from '../../testing/proxy.ts';

let lab: Lab;
let proxy: BackupProxy;
/** The DR test restores a small Windows VM (two disks, like sql01): the restore path, not 72 MiB of data, is under test. */
const DR_VM = { name: 'winsmall', guest: 'windows' as const, disks: [{ capacityGiB: 1, allocatedMiB: 6 }, { capacityGiB: 1, allocatedMiB: 3 }] };

beforeAll(async () => {
  lab = await startTestLab({ extraVms: [DR_VM] });
  proxy = proxyFor(lab);
});
afterAll(async () => {
  proxy.close();
  await lab.stop();
});

const sql = () => lab.world.sql.server('sql01')!;

describe('application-aware SQL backup and restore over the wire', () => {
  test('full + differential + log backups are catalogued with contiguous LSNs; the chain restores to an alternate name equal to the source', async () => {
    const full = await proxy.backupSql({ vm: 'sql01', type: 'full', databases: ['SalesDB'] });
    expect(full.entries).toHaveLength(1);
    sql().runTransactions('MSSQLSERVER', 'SalesDB', 40);
    const diff = await proxy.backupSql({ vm: 'sql01', type: 'diff', databases: ['SalesDB'] });
    sql().runTransactions('MSSQLSERVER', 'SalesDB', 40);
    const log = await proxy.backupSql({ vm: 'sql01', type: 'log', databases: ['SalesDB'] });
    const [f, d, l] = [full.entries[0]!, diff.entries[0]!, log.entries[0]!];
    expect(d.differentialBaseLsn).toBe(f.checkpointLsn);
    expect(BigInt(l.lastLsn)).toBeGreaterThan(BigInt(d.lastLsn));
    const catalog = await proxy.cloud.queryCatalog({ database: 'SalesDB' });
    expect(catalog.map((e) => e.type)).toEqual(['full', 'diff', 'log']);

    const r = await proxy.restoreSql({ vm: 'sql01', database: 'SalesDB', targetDatabase: 'SalesDB_copy' });
    expect(r.chain.map((c) => c.type)).toEqual(['full', 'diff', 'log']);
    expect(r.restoredLsn).toBe(l.lastLsn);
    // The restored copy equals the source database at the log backup's last LSN.
    expect(r.checksum).toBe(sql().database('MSSQLSERVER', 'SalesDB')!.checksum(BigInt(l.lastLsn)));
    expect(lab.recorder.find({ kind: 'request', from: /^guest-sql01$/, to: 'guest-sql01', port: 3545 }).length).toBeGreaterThan(0);
  });

  test('a point-in-time restore (STOPAT) equals the source at that moment', async () => {
    const db = () => sql().database('MSSQLSERVER', 'SalesDB')!;
    sql().runTransactions('MSSQLSERVER', 'SalesDB', 20);
    await new Promise((r) => setTimeout(r, 30));
    const middle = new Date();
    await new Promise((r) => setTimeout(r, 30));
    sql().runTransactions('MSSQLSERVER', 'SalesDB', 20);
    await proxy.backupSql({ vm: 'sql01', type: 'log', databases: ['SalesDB'] });
    const r = await proxy.restoreSql({ vm: 'sql01', database: 'SalesDB', targetDatabase: 'SalesDB_pit', time: middle.toISOString() });
    expect(r.stopAt).not.toBeNull();
    expect(r.verifiedAgainst).toBe('source');
    expect(r.checksum).toBe(db().checksum(db().lsnAt(middle)));
  });

  test('a log backup of a SIMPLE-recovery database fails with SQL error 4208', async () => {
    await expect(proxy.backupSql({ vm: 'sql01', type: 'log', databases: ['HRDB'] })).rejects.toMatchObject({ errorClass: 'sql', details: { sqlErrors: expect.arrayContaining([4208]) } });
  });
});

describe('DR restore over the wire', () => {
  test('a new VM gets every backed-up byte over 902, powers on, and answers its RDP probe', async () => {
    const backup = await proxy.backupVm({ vm: DR_VM.name });
    const dr = await proxy.restoreDr({ manifestId: backup.manifestId, newName: `${DR_VM.name}-dr` });
    expect(dr.probe).toMatchObject({ kind: 'rdp', state: 'open' });
    expect(dr.disks.every((d) => d.verified)).toBe(true);
    // Byte for byte: every backed-up extent of the new VM's disks equals the source VM's disks.
    const manifest = await proxy.cloud.getManifest(backup.manifestId);
    const src = lab.world.disks.forVm(lab.world.inventory.vms.find((v) => v.name === DR_VM.name)!.moid);
    const dst = lab.world.disks.forVm(dr.moref);
    expect(dst).toHaveLength(src.length);
    for (const [i, d] of manifest.disks.entries()) {
      for (const e of d.extents) {
        const a = src[i]!.read({ disk: src[i]!, readOnly: true }, e.offset, e.length);
        const b = dst[i]!.read({ disk: dst[i]!, readOnly: true }, e.offset, e.length);
        expect(b.equals(a), `disk ${i} extent at ${e.offset}`).toBe(true);
      }
    }
  });
});
