import { arrayOf, data, type DataObject, type MoRef } from '../../core/codecs/vim25/index.ts';
import type { HostHardware } from '../../inventory/host-hardware.ts';
import type { HostSpec } from '../../inventory/types.ts';

/** vim25 data objects describing one host, built from its seeded hardware (shared by HostSystem and its config managers). */

export const VM_NETWORK = 'VM Network';
const MGMT_PORTGROUP = 'Management Network';
const VMK0_KEY = 'key-vim.host.VirtualNic-vmk0';

export function hostProduct(): DataObject {
  return data('AboutInfo', {
    name: 'VMware ESXi',
    fullName: 'VMware ESXi 8.0.2 build-22380479',
    vendor: 'VMware, Inc.',
    version: '8.0.2',
    build: '22380479',
    localeVersion: 'INTL',
    localeBuild: '000',
    osType: 'vmnix-x86',
    productLineId: 'embeddedEsx',
    apiType: 'HostAgent',
    apiVersion: '8.0.2.0',
    licenseProductName: 'VMware ESX Server',
    licenseProductVersion: '8.0',
  });
}

const threads = (hw: HostHardware) => hw.packages * hw.coresPerPackage * hw.threadsPerCore;

/** CPUID leaves every host reports (Go clients read them for EVC checks); values of an Ice Lake Xeon. */
function cpuFeatures(): DataObject[] {
  const leaf = (level: number, eax: string, ebx: string, ecx: string, edx: string) => data('HostCpuIdInfo', { level, vendor: 'intel', eax, ebx, ecx, edx });
  const bits = (hex: string) => parseInt(hex, 16).toString(2).padStart(32, '0').replace(/(.{4})(?=.)/g, '$1:');
  return [
    leaf(0, bits('0000001b'), bits('756e6547'), bits('6c65746e'), bits('49656e69')),
    leaf(1, bits('000606a6'), bits('00200800'), bits('fffa3203'), bits('1f8bfbff')),
    leaf(-2147483648, bits('80000008'), bits('00000000'), bits('00000000'), bits('00000000')),
    leaf(-2147483647, bits('00000000'), bits('00000000'), bits('00000121'), bits('2c100800')),
  ];
}

export function hardwareInfo(hw: HostHardware): DataObject {
  const perPkg = hw.coresPerPackage * hw.threadsPerCore;
  return data('HostHardwareInfo', {
    systemInfo: data('HostSystemInfo', { vendor: hw.vendor, model: hw.model, uuid: hw.uuid, serialNumber: hw.serialNumber }),
    cpuPowerManagementInfo: data('HostCpuPowerManagementInfo', { currentPolicy: 'Balanced', hardwareSupport: 'ACPI P-states, ACPI C-states' }),
    cpuInfo: data('HostCpuInfo', { numCpuPackages: hw.packages, numCpuCores: hw.packages * hw.coresPerPackage, numCpuThreads: threads(hw), hz: hw.hz }),
    cpuPkg: Array.from({ length: hw.packages }, (_, i) =>
      data('HostCpuPackage', {
        index: i,
        vendor: hw.cpuVendor,
        hz: hw.hz,
        busHz: hw.busHz,
        description: hw.cpuModel,
        threadId: arrayOf('short', Array.from({ length: perPkg }, (_, t) => i * perPkg + t)),
        cpuFeature: cpuFeatures(),
      }),
    ),
    memorySize: hw.memoryBytes,
    numaInfo: data('HostNumaInfo', {
      type: 'NUMA',
      numNodes: hw.packages,
      numaNode: Array.from({ length: hw.packages }, (_, i) =>
        data('HostNumaNode', {
          typeId: i,
          cpuID: arrayOf('short', Array.from({ length: perPkg }, (_, t) => i * perPkg + t)),
          memoryRangeBegin: (hw.memoryBytes / hw.packages) * i,
          memoryRangeLength: hw.memoryBytes / hw.packages,
        }),
      ),
    }),
    smcPresent: false,
    cpuFeature: cpuFeatures(),
    biosInfo: data('HostBIOSInfo', { biosVersion: hw.biosVersion, releaseDate: new Date('2023-06-01T00:00:00Z'), vendor: hw.vendor }),
  });
}

export function hardwareSummary(hw: HostHardware): DataObject {
  return data('HostHardwareSummary', {
    vendor: hw.vendor,
    model: hw.model,
    uuid: hw.uuid,
    memorySize: hw.memoryBytes,
    cpuModel: hw.cpuModel,
    cpuMhz: Math.round(hw.hz / 1e6),
    numCpuPkgs: hw.packages,
    numCpuCores: hw.packages * hw.coresPerPackage,
    numCpuThreads: threads(hw),
    numNics: hw.pnics.length,
    numHBAs: hw.hbas.length,
  });
}

function policy(): DataObject {
  return data('HostNetworkPolicy', {
    security: data('HostNetworkSecurityPolicy', { allowPromiscuous: false, macChanges: false, forgedTransmits: false }),
    nicTeaming: data('HostNicTeamingPolicy', { policy: 'loadbalance_srcid', reversePolicy: true, notifySwitches: true, rollingOrder: false }),
  });
}

function vmk0(hw: HostHardware, prefix = ''): DataObject {
  return data('HostVirtualNic', {
    device: 'vmk0',
    key: `${prefix}${VMK0_KEY}`,
    portgroup: MGMT_PORTGROUP,
    spec: data('HostVirtualNicSpec', {
      ip: data('HostIpConfig', { dhcp: false, ipAddress: hw.vmk0.ip, subnetMask: hw.vmk0.netmask }),
      mac: hw.vmk0.mac,
      portgroup: MGMT_PORTGROUP,
      mtu: 1500,
      tsoEnabled: true,
      netStackInstanceKey: 'defaultTcpipStack',
    }),
    port: 'key-vim.host.PortGroup.Port-33554436',
  });
}

export function dnsConfig(host: HostSpec): DataObject {
  const [name, ...domain] = host.name.split('.');
  return data('HostDnsConfig', { dhcp: false, hostName: name, domainName: domain.join('.'), address: ['127.0.0.53'], searchDomain: [domain.join('.')] });
}

/** HostNetworkInfo: vSwitch0 on vmnic0 with "Management Network" (vmk0, the host's lab address) and "VM Network". */
export function networkInfo(host: HostSpec, hw: HostHardware): DataObject {
  const pgKey = (name: string) => `key-vim.host.PortGroup-${name}`;
  const portgroup = (name: string) =>
    data('HostPortGroup', {
      key: pgKey(name),
      port: name === MGMT_PORTGROUP ? [data('HostPortGroupPort', { key: 'key-vim.host.PortGroup.Port-33554436', mac: [hw.vmk0.mac], type: 'host' })] : [],
      vswitch: 'key-vim.host.VirtualSwitch-vSwitch0',
      computedPolicy: policy(),
      spec: data('HostPortGroupSpec', { name, vlanId: 0, vswitchName: 'vSwitch0', policy: data('HostNetworkPolicy', {}) }),
    });
  return data('HostNetworkInfo', {
    vswitch: [
      data('HostVirtualSwitch', {
        name: 'vSwitch0',
        key: 'key-vim.host.VirtualSwitch-vSwitch0',
        numPorts: 2560,
        numPortsAvailable: 2552,
        mtu: 1500,
        portgroup: [pgKey(VM_NETWORK), pgKey(MGMT_PORTGROUP)],
        pnic: [`key-vim.host.PhysicalNic-${hw.pnics[0]!.device}`],
        spec: data('HostVirtualSwitchSpec', { numPorts: 128, bridge: data('HostVirtualSwitchBondBridge', { nicDevice: [hw.pnics[0]!.device] }), policy: policy(), mtu: 1500 }),
      }),
    ],
    portgroup: [portgroup(VM_NETWORK), portgroup(MGMT_PORTGROUP)],
    pnic: hw.pnics.map((p, i) =>
      data('PhysicalNic', {
        key: `key-vim.host.PhysicalNic-${p.device}`,
        device: p.device,
        pci: p.pci,
        driver: 'icen',
        linkSpeed: i === 0 ? data('PhysicalNicLinkInfo', { speedMb: p.speedMb, duplex: true }) : undefined,
        validLinkSpecification: [data('PhysicalNicLinkInfo', { speedMb: p.speedMb, duplex: true })],
        spec: data('PhysicalNicSpec', { linkSpeed: i === 0 ? data('PhysicalNicLinkInfo', { speedMb: p.speedMb, duplex: true }) : undefined }),
        wakeOnLanSupported: false,
        mac: p.mac,
        autoNegotiateSupported: true,
      }),
    ),
    vnic: [vmk0(hw)],
    dnsConfig: dnsConfig(host),
    ipRouteConfig: data('HostIpRouteConfig', { defaultGateway: '127.0.0.1', gatewayDevice: 'vmk0' }),
    ipV6Enabled: false,
    atBootIpV6Enabled: false,
  });
}

/** Which VMkernel NIC carries which traffic; vmk0 is the selected management NIC (govmomi reads its IP). */
export function virtualNicManagerInfo(hw: HostHardware): DataObject {
  const cfg = (nicType: string, selected: boolean) =>
    data('VirtualNicManagerNetConfig', {
      nicType,
      multiSelectAllowed: true,
      candidateVnic: [vmk0(hw, `${nicType}.`)],
      selectedVnic: selected ? [`${nicType}.${VMK0_KEY}`] : [],
    });
  return data('HostVirtualNicManagerInfo', { netConfig: [cfg('management', true), cfg('vmotion', false), cfg('faultToleranceLogging', false), cfg('vSphereProvisioning', false)] });
}

export function storageDeviceInfo(hw: HostHardware): DataObject {
  return data('HostStorageDeviceInfo', {
    hostBusAdapter: hw.hbas.map((h, i) =>
      data(i === 0 ? 'HostParallelScsiHba' : 'HostBlockHba', { key: `key-vim.host.${i === 0 ? 'ParallelScsiHba' : 'BlockHba'}-${h.device}`, device: h.device, bus: 0, status: 'online', model: h.model, driver: h.driver, pci: h.pci }),
    ),
    scsiLun: [],
    softwareInternetScsiEnabled: false,
  });
}

export function dateTimeInfo(): DataObject {
  return data('HostDateTimeInfo', {
    timeZone: data('HostDateTimeSystemTimeZone', { key: 'UTC', name: 'UTC', description: 'UTC', gmtOffset: 0 }),
    ntpConfig: data('HostNtpConfig', { server: ['ntp.lab.test'] }),
  });
}

export function serviceInfo(): DataObject {
  const svc = (key: string, label: string, running: boolean, ruleset: string[]) => data('HostService', { key, label, required: false, uninstallable: false, running, ruleset, policy: running ? 'on' : 'off' });
  return data('HostServiceInfo', {
    service: [
      svc('TSM', 'ESXi Shell', false, []),
      svc('TSM-SSH', 'SSH', true, ['sshServer']),
      svc('ntpd', 'NTP Daemon', true, ['ntpClient']),
      svc('vpxa', 'VMware vCenter Agent', true, ['vpxHeartbeats']),
    ],
  });
}

export function firewallInfo(): DataObject {
  const rule = (port: number, direction: string, protocol = 'tcp') => data('HostFirewallRule', { port, direction, portType: 'dst', protocol });
  const set = (key: string, label: string, rules: DataObject[], service?: string) =>
    data('HostFirewallRuleset', { key, label, required: false, rule: rules, service, enabled: true, allowedHosts: data('HostFirewallRulesetIpList', { allIp: true }) });
  return data('HostFirewallInfo', {
    defaultPolicy: data('HostFirewallDefaultPolicy', { incomingBlocked: true, outgoingBlocked: true }),
    ruleset: [
      set('sshServer', 'SSH Server', [rule(22, 'inbound')], 'TSM-SSH'),
      set('nfc', 'NFC', [rule(902, 'inbound'), rule(902, 'outbound')]),
      set('webAccess', 'vSphere Web Access', [rule(80, 'inbound')]),
      set('ntpClient', 'NTP Client', [rule(123, 'outbound', 'udp')], 'ntpd'),
    ],
  });
}

/** HostConfigInfo: what govmomi, pyVmomi and backup products read from `config`. */
export function hostConfigInfo(self: MoRef, host: HostSpec, hw: HostHardware, certPem: string | undefined, extra: Record<string, unknown>): DataObject {
  return data('HostConfigInfo', {
    host: self,
    product: hostProduct(),
    hyperThread: data('HostHyperThreadScheduleInfo', { available: true, active: true, config: true }),
    storageDevice: storageDeviceInfo(hw),
    network: networkInfo(host, hw),
    virtualNicManagerInfo: virtualNicManagerInfo(hw),
    service: serviceInfo(),
    firewall: firewallInfo(),
    dateTimeInfo: dateTimeInfo(),
    ...extra,
    certificate: certPem === undefined ? undefined : arrayOf('byte', [...Buffer.from(certPem, 'utf8')].map((b) => (b > 127 ? b - 256 : b))),
  });
}
