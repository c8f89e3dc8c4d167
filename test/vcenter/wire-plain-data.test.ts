import { describe, expect, test } from 'vitest';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Declared, MoRef, vim25Types, writeElement } from '../../simulators/core/codecs/vim25/index.ts';

const oracle = fileURLToPath(new URL('./wire_oracle.py', import.meta.url));

/** pyVmomi's verdict (read at test time) on each `<val>`, against the type it declares for the property path. */
async function judge(cases: { moType: string; path: string; xml: string }[]): Promise<string[][]> {
  const py = spawn('/usr/bin/python3', [oracle, '--check-values'], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  py.stdout.on('data', (d) => (out += d));
  py.stdin.end(JSON.stringify(cases));
  const code = await new Promise<number | null>((resolve) => py.once('exit', resolve));
  expect(code).toBe(0);
  return JSON.parse(out) as string[][];
}

const typed = (moType: string, path: string, value: unknown) => ({ moType, path, xml: writeElement('val', new Declared(value, vim25Types().pathType(moType, path)!), true) });

/**
 * Plain object literals, no `_type` anywhere, as a new managed object would expose them: the type
 * table alone must put the right types on the wire (enums, int vs long, byte[], anyType fields, arrays).
 */
const HOST_CONFIG = {
  host: new MoRef('HostSystem', 'host-10'),
  product: { name: 'VMware ESXi', fullName: 'VMware ESXi 8.0.2', vendor: 'VMware, Inc.', version: '8.0.2', build: '22380479', osType: 'vmnix-x86', productLineId: 'embeddedEsx', apiType: 'HostAgent', apiVersion: '8.0.2.0' },
  network: {
    vswitch: [{ name: 'vSwitch0', key: 'key-vim.host.VirtualSwitch-vSwitch0', numPorts: 128, numPortsAvailable: 120, mtu: 1500, portgroup: ['key-vim.host.PortGroup-VM Network'], pnic: ['key-vim.host.PhysicalNic-vmnic0'] }],
    portgroup: [{ key: 'key-vim.host.PortGroup-VM Network', port: [], spec: { name: 'VM Network', vlanId: 0, vswitchName: 'vSwitch0', policy: {} } }],
    vnic: [{ device: 'vmk0', key: 'key-vim.host.VirtualNic-vmk0', portgroup: 'Management Network', spec: { ip: { dhcp: false, ipAddress: '127.0.0.2', subnetMask: '255.0.0.0' }, mac: '00:50:56:00:00:01', mtu: 1500 } }],
    pnic: [{ key: 'key-vim.host.PhysicalNic-vmnic0', device: 'vmnic0', pci: '0000:03:00.0', driver: 'nvmxnet3', linkSpeed: { speedMb: 10000, duplex: true }, mac: '00:50:56:00:00:02' }],
    dnsConfig: { dhcp: false, hostName: 'esxi-01', domainName: 'lab.test', address: ['127.0.0.53'], searchDomain: ['lab.test'] },
  },
  option: [{ key: 'Config.HostAgent.log.level', value: 'info' }, { key: 'Mem.MemEagerZero', value: 0 }],
  certificate: Buffer.from([0x30, 0x82, 0x01, 0xff]),
};

describe('plain data gets its types from the type table (judged by pyVmomi)', () => {
  test('HostSystem.config, hardware and a VM runtime written from untyped literals', async () => {
    const now = new Date('2026-01-02T03:04:05.000Z');
    const problems = await judge([
      typed('HostSystem', 'config', HOST_CONFIG),
      typed('HostSystem', 'hardware', {
        systemInfo: { vendor: 'VMware, Inc.', model: 'VMware7,1', uuid: '4c4c4544-0000-0000-0000-000000000001' },
        cpuInfo: { numCpuPackages: 2, numCpuCores: 16, numCpuThreads: 32, hz: 2_600_000_000 },
        memorySize: 68_719_476_736,
        numaInfo: { type: 'NUMA', numNodes: 2 },
        cpuFeature: [{ level: 0, eax: '0000:0000:0000:0000:0000:0000:0000:1101' }],
      }),
      typed('VirtualMachine', 'runtime', { host: new MoRef('HostSystem', 'host-10'), connectionState: 'connected', powerState: 'poweredOn', bootTime: now, maxCpuUsage: 2000, memoryOverhead: 5, featureRequirement: [{ key: 'cpuid.SSE3', featureName: 'cpuid.SSE3', value: 'Bool:Min:1' }] }),
      typed('VirtualMachine', 'runtime.powerState', 'poweredOff'),
      typed('HostSystem', 'hardware.memorySize', 1024),
      typed('HostSystem', 'config.certificate', Buffer.from([1, 200])),
      typed('HostSystem', 'vm', []),
      typed('ManagedEntity', 'effectiveRole', [-1]),
    ]);
    expect(problems).toEqual(problems.map(() => []));
  });

  test('the same values typed from their JS values alone are refused: the check has teeth', async () => {
    const guessed = (moType: string, path: string, value: unknown) => ({ moType, path, xml: writeElement('val', value, true) });
    const problems = await judge([
      guessed('VirtualMachine', 'runtime.powerState', 'poweredOff'),
      guessed('HostSystem', 'hardware.memorySize', 1024),
      guessed('HostSystem', 'vm', []),
    ]);
    for (const p of problems) expect(p.length).toBeGreaterThan(0);
  });
});
