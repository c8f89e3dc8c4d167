import { describe, expect, test } from 'vitest';
import { fileURLToPath } from 'node:url';
import { sharedVcLab } from './helpers.ts';
import { runPyvmomi as runScript } from './pyvmomi-run.ts';

const lab = sharedVcLab();

type Step = { step: string; ok: boolean; error?: string; trace?: string } & Record<string, unknown>;

/** Runs pyvmomi_breadth.py against one endpoint and returns its steps by name. */
async function runPyvmomi(flavor: 'vcenter' | 'esxi', vmName: string): Promise<Record<string, Step>> {
  const vmSpec = lab().lab.world.inventory.vms.find((v) => v.name === vmName)!;
  const host = lab().lab.world.inventory.hosts.find((h) => h.moid === vmSpec.host)!;
  const https = (component: string) => lab().lab.endpoints().find((e) => e.component === component && e.listener === 'https')!;
  const hostEp = https(host.component);
  const target = flavor === 'vcenter' ? https('vcenter') : hostEp;
  const script = fileURLToPath(new URL('./pyvmomi_breadth.py', import.meta.url));
  const { code, stderr, steps } = await runScript(lab().lab, script, { hostname: target.hostname, login: flavor }, {
    flavor,
    vm: vmName,
    hostAddress: host.address,
    hostEndpoint: `${hostEp.bindAddress}:${hostEp.port}`,
    dcPath: flavor === 'vcenter' ? lab().lab.world.inventory.datacenter.name : 'ha-datacenter',
  }, () => {}, 100_000);
  expect(stderr).toBe('');
  expect(code).toBe(0);
  return steps as Record<string, Step>;
}

const COMMON = ['service-content', 'session-list', 'events', 'tasks', 'list-view', 'perf', 'authorization', 'license', 'options', 'diagnostics', 'ovf-vstorage', 'host', 'network', 'resource-pool', 'datastore-browser', 'folder', 'all-properties'];

function expectAllOk(steps: Record<string, Step>, names: string[]): void {
  expect(Object.keys(steps).sort()).toEqual([...names].sort());
  const failed = Object.values(steps).filter((s) => !s.ok).map((s) => `${s.step}: ${s.error}\n${s.trace}`);
  expect(failed).toEqual([]);
}

describe('pyVmomi: inventory and managers', () => {
  test('vCenter: every manager, host config, networks, pools, datastore browser and /folder', async () => {
    const steps = await runPyvmomi('vcenter', 'web01');
    expectAllOk(steps, [...COMMON, 'custom-fields', 'extensions']);
    expect(steps['service-content']!.refs).toMatchObject({ eventManager: 'EventManager', perfManager: 'PerfMgr', setting: 'VpxSettings' });
    expect(steps['all-properties']!.checked).toBeGreaterThan(120);
    // The .vmx names web01's disk and its CBT state as the inventory has them.
    const disk = lab().lab.world.inventory.vms.find((v) => v.name === 'web01')!.disks[0]!;
    expect((steps.folder!.vmx as Record<string, string>)[`scsi0:${disk.unitNumber}.ctkEnabled`]).toBe('TRUE');
  }, 120_000);

  test('ESXi host agent: the managers a host has, ha-host config, browser and /folder', async () => {
    const steps = await runPyvmomi('esxi', 'vault01');
    expectAllOk(steps, COMMON);
    expect(steps['service-content']!.refs).toMatchObject({ eventManager: 'ha-eventmgr', perfManager: 'ha-perfmgr', setting: 'HostAgentSettings' });
    expect(steps['all-properties']!.checked).toBeGreaterThan(120);
  }, 120_000);
});
