// A long-running lab stays usable for scenarios: a data reset makes a bundled scenario pass again
// where, without it, its second run finds every block already stored (nothing uploaded).
import { expect, test } from 'vitest';
import { startAdmin } from '../../simulators/admin/index.ts';
import { runScenario } from '../../scenarios/runner.ts';
import { startTestLab } from '../helpers/lab.ts';
import { ADMIN_AUTH } from './helpers.ts';

/** Bounded by its work: three runs of vm-backup-full, two backups each, each backup given a suite test's 60 s. */
const BOUND_MS = 3 * 2 * 60_000;

test('vm-backup-full runs twice in one lab with POST /reset {"data": true} between; lab.reset() without data keeps the blocks', async () => {
  const lab = await startTestLab();
  const admin = await startAdmin(lab);
  try {
    const first = await runScenario('vm-backup-full', { lab });
    expect(first.failures, JSON.stringify(first.steps)).toBe(0);
    const stored = lab.world.cloud!.storage();
    expect(stored.manifests).toBeGreaterThan(0);

    // Faults and trace only: the stored blocks stay, so the same backup uploads nothing and the scenario fails.
    expect((await lab.reset()).data).toBeUndefined();
    expect(lab.world.cloud!.storage().blocks).toBe(stored.blocks);
    const without = await runScenario('vm-backup-full', { lab });
    expect(without.passed).toBe(false);

    const res = await fetch(`${admin.url}/reset`, { method: 'POST', headers: { ...ADMIN_AUTH, 'content-type': 'application/json' }, body: JSON.stringify({ data: true }) });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { data: { cloud: { blocks: number; manifests: number }; cloudcache: { blocks: number } } };
    expect(body.data.cloud.manifests).toBeGreaterThan(0);
    expect(body.data.cloud.blocks + body.data.cloudcache.blocks).toBeGreaterThan(0);
    expect(lab.world.cloud!.storage()).toMatchObject({ blocks: 0, bytes: 0, manifests: 0, sqlBackups: 0 });

    const again = await runScenario('vm-backup-full', { lab });
    expect(again.failures, JSON.stringify(again.steps)).toBe(0);

    const bad = await fetch(`${admin.url}/reset`, { method: 'POST', headers: ADMIN_AUTH, body: '{not json' });
    expect(bad.status).toBe(400);
  } finally {
    await admin.stop();
    await lab.stop();
  }
}, BOUND_MS);
