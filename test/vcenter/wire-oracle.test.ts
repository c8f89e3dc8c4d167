import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { vcLab, type VcLab } from './helpers.ts';

const run = promisify(execFile);
const PYTHON = '/usr/bin/python3';
const oracle = fileURLToPath(new URL('./wire_oracle.py', import.meta.url));
const generator = fileURLToPath(new URL('../../simulators/core/codecs/vim25/type-table/generate.py', import.meta.url));
const table = fileURLToPath(new URL('../../simulators/core/codecs/vim25/type-table/vim25-types.json', import.meta.url));

interface Coverage {
  objects: number;
  types: string[];
  serviceContentRefs: number;
  pathsRead: number;
  values: number;
  arrayItems: number;
}

let env: VcLab;
beforeAll(async () => {
  env = await vcLab();
});
afterAll(async () => {
  await env?.stop();
});

describe('wire shape against pyVmomi type info (the oracle reads pyVmomi at test time)', () => {
  // The checker's self-test, the oracle run and the table generator are three python processes that
  // share nothing but the lab the oracle only reads (its snapshot aside): they run at once.
  test.concurrent('the checker itself rejects wrong shapes: xsd:string enums, untyped items, ArrayOfString for references, int for long...', async ({ expect }) => {
    const { stdout } = await run(PYTHON, [oracle, '--self-test']);
    const r = JSON.parse(stdout) as { cases: number; failures: unknown[] };
    expect(r.failures).toEqual([]);
    expect(r.cases).toBeGreaterThan(10);
  });

  test.concurrent('vCenter and a standalone ESXi host agent: every declared property of every object is valid and typed as declared', async ({ expect }) => {
    // A snapshot (and its task) so VirtualMachineSnapshot, Task and the snapshot tree are on the wire too.
    const vc = await env.login();
    const spec = env.lab.world.inventory.vms.find((v) => v.host === env.lab.world.inventory.hosts[0]!.moid)!;
    const vm = (await vc.findVmByUuid(spec.instanceUuid))!;
    await vc.createSnapshot(vm, 'oracle');
    await vc.logout();

    const eps = env.lab.endpoints();
    const esxiHost = env.lab.world.inventory.hosts[0]!;
    const endpoint = (component: string, creds: { user: string; password: string }) => {
      const e = eps.find((x) => x.component === component && x.listener === 'https')!;
      return { name: component, address: e.bindAddress, port: e.port, ...creds };
    };
    const cfg = join(env.lab.tempDir, 'wire-oracle.json');
    await writeFile(cfg, JSON.stringify({
      ca: env.lab.caFile,
      endpoints: [endpoint('vcenter', env.lab.credentials.vcenter!), endpoint(esxiHost.component, env.lab.credentials.esxi!)],
    }));
    const { stdout } = await run(PYTHON, [oracle, cfg], { maxBuffer: 64 * 1024 * 1024, timeout: 240_000 });
    const r = JSON.parse(stdout) as { endpoints: Record<string, Coverage>; problems: string[]; notes: string[] };
    expect(r.problems).toEqual([]);
    const vcCov = r.endpoints.vcenter!;
    const esxCov = r.endpoints[esxiHost.component]!;
    for (const t of ['ServiceInstance', 'Folder', 'Datacenter', 'ClusterComputeResource', 'HostSystem', 'Datastore', 'ResourcePool', 'VirtualMachine', 'VirtualMachineSnapshot', 'SessionManager', 'PropertyCollector']) {
      expect(vcCov.types).toContain(t);
    }
    for (const t of ['ComputeResource', 'HostSystem', 'VirtualMachine', 'VirtualMachineSnapshot']) expect(esxCov.types).toContain(t);
    expect(vcCov.serviceContentRefs).toBeGreaterThanOrEqual(7);
    expect(vcCov.pathsRead).toBeGreaterThan(1000);
    expect(vcCov.arrayItems).toBeGreaterThan(20);
  }, 300_000);

  test.concurrent('the committed type table is what generate.py writes from the installed pyVmomi', async ({ expect }) => {
    const { stdout } = await run(PYTHON, [generator], { maxBuffer: 16 * 1024 * 1024 });
    expect(stdout === (await readFile(table, 'utf8'))).toBe(true);
  });

  test('declared paths that are unset read as absent; undeclared nested paths are InvalidProperty', async () => {
    const vc = await env.login();
    const vm = (await vc.findVmByUuid(env.lab.world.inventory.vms[0]!.instanceUuid))!;
    expect(await vc.props(vm, ['parentVApp', 'layoutEx', 'name'])).toEqual({ name: env.lab.world.inventory.vms[0]!.name });
    await expect(vc.props(vm, ['config.noSuchField'])).rejects.toMatchObject({ faultType: 'InvalidProperty' });
    await expect(vc.props(vm, ['datastore.name'])).rejects.toMatchObject({ faultType: 'InvalidProperty' });
    await vc.logout();
  });

});
