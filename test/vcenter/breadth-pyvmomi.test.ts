import { describe, expect, test } from 'vitest';
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sharedVcLab } from './helpers.ts';

const lab = sharedVcLab();

type Step = { step: string; ok: boolean; error?: string; trace?: string } & Record<string, unknown>;

/** Runs pyvmomi_breadth.py against one endpoint and returns its steps by name. */
async function runPyvmomi(flavor: 'vcenter' | 'esxi', vmName: string): Promise<Record<string, Step>> {
  const vmSpec = lab().lab.world.inventory.vms.find((v) => v.name === vmName)!;
  const host = lab().lab.world.inventory.hosts.find((h) => h.moid === vmSpec.host)!;
  const eps = lab().lab.endpoints();
  const https = (component: string) => eps.find((e) => e.component === component && e.listener === 'https')!;
  const target = flavor === 'vcenter' ? https('vcenter') : https(host.component);
  const hostEp = https(host.component);
  const creds = flavor === 'vcenter' ? lab().lab.credentials.vcenter! : lab().lab.credentials.esxi!;
  const cfgFile = join(lab().lab.tempDir, `breadth-${flavor}.json`);
  await writeFile(cfgFile, JSON.stringify({
    host: target.bindAddress, port: target.port, ca: lab().lab.caFile, user: creds.user, password: creds.password, flavor, vm: vmName,
    hostAddress: host.address, hostEndpoint: `${hostEp.bindAddress}:${hostEp.port}`,
    dcPath: flavor === 'vcenter' ? lab().lab.world.inventory.datacenter.name : 'ha-datacenter',
  }));
  const script = fileURLToPath(new URL('./pyvmomi_breadth.py', import.meta.url));
  const py = spawn('/usr/bin/python3', [script, cfgFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  py.stdout.on('data', (d) => (out += d));
  py.stderr.on('data', (d) => (err += d));
  const code = await new Promise<number | null>((resolve) => {
    const timer = setTimeout(() => py.kill(), 100_000);
    py.once('exit', (c) => {
      clearTimeout(timer);
      resolve(c);
    });
  });
  expect(err).toBe('');
  expect(code).toBe(0);
  const steps: Record<string, Step> = {};
  for (const line of out.split('\n').filter(Boolean)) {
    const s = JSON.parse(line) as Step;
    steps[s.step] = s;
  }
  return steps;
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
