import { mkdtemp, rm } from 'node:fs/promises';
import { randomInt } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeLab } from '../../simulators/deploy/describe.ts';
import { writeDeployment } from '../../simulators/deploy/certs.ts';
import { serve } from '../../simulators/deploy/serve.ts';
import { deploymentNetMap } from '../../simulators/deploy/endpoints.ts';
import { addressOf, type DeployPlan } from '../../simulators/deploy/plan.ts';
import { canBindPrivileged } from '../../simulators/core/net/ports.ts';

describe('bpsim serve refuses what it cannot run, in words that name the fix', () => {
  let dir: string;
  let plan: DeployPlan;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bpsim-serve-'));
    plan = await describeLab({ network: `127.${randomInt(16, 250)}.${randomInt(0, 250)}`, pkiDir: dir });
    await writeDeployment(dir, plan);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('an unknown component lists the known ones', async () => {
    await expect(serve({ component: 'esxi-99', certsDir: dir })).rejects.toThrow(/no component "esxi-99" in the deployment plan \(known: vcenter, esxi-01, /);
  });

  it('a seed other than the plan\'s', async () => {
    await expect(serve({ component: 'ntp', certsDir: dir, seed: 'other' })).rejects.toThrow('seed "other" differs from the seed "bpsim"');
  });

  it('a directory bpsim certs never wrote', async () => {
    await expect(serve({ component: 'ntp', certsDir: join(dir, 'nothing') })).rejects.toThrow(/cannot read the deployment plan .*run `bpsim certs --out/);
  });

  it.skipIf(!canBindPrivileged())('a port already taken, then the same host starts once it is free', async () => {
    const first = await serve({ component: 'ntp', certsDir: dir });
    try {
      await expect(serve({ component: 'ntp', certsDir: dir })).rejects.toThrow(`cannot start ntp (ntp) on ${addressOf(plan, 'ntp')}:123: the port is already in use`);
    } finally {
      await first.stop();
    }
    const again = await serve({ component: 'ntp', certsDir: dir });
    await again.stop();
  });

  it('the proxy resolves every hostname of the plan to its own host on the real port', () => {
    const netmap = deploymentNetMap(plan);
    for (const u of plan.units) {
      for (const l of u.listeners) expect(netmap.resolve(u.hostname, l.realPort)).toMatchObject({ address: addressOf(plan, u.component), port: l.realPort, servername: u.hostname });
    }
  });
});
