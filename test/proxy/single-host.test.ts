import { test, expect } from 'vitest';
import { startTestLab } from '../helpers/lab.ts';
import { proxyFor } from '../../testing/proxy.ts';

// Single-host mode (macOS): every listener on 127.0.0.1 with an OS-chosen port, so the proxy can
// only find listeners that appear at run time (guestossvc after injection, a DR-restored VM's
// probe) through the lab's live name service.
// The flows, not the data, are under test: the smallest database and a small extra Linux VM.
const SMALL_LINUX = { name: 'linsmall', guest: 'linux' as const, disks: [{ capacityGiB: 1, allocatedMiB: 4 }] };

test('in single-host mode the flows with run-time listeners work: app-aware SQL backup and DR restore with a probe', async () => {
  const lab = await startTestLab({ singleHost: true, extraVms: [SMALL_LINUX] });
  const proxy = proxyFor(lab);
  try {
    const sql = await proxy.backupSql({ vm: 'sql01', type: 'full', databases: ['InventoryDB'] });
    expect(sql.entries).toHaveLength(1);
    const guestossvc = lab.recorder.find({ kind: 'request', to: 'guest-sql01', port: 3542 });
    expect(guestossvc.length).toBeGreaterThan(0);
    const backup = await proxy.backupVm({ vm: SMALL_LINUX.name });
    const dr = await proxy.restoreDr({ manifestId: backup.manifestId, newName: `${SMALL_LINUX.name}-dr` });
    expect(dr.probe).toMatchObject({ kind: 'ssh', state: 'open' });
    expect(lab.endpoints().every((e) => e.bindAddress === '127.0.0.1')).toBe(true);
  } finally {
    proxy.close();
    await lab.stop();
  }
});
