import { seededRandom, seededUuid } from '../core/seeded.ts';
import type { HostSpec } from './types.ts';

/** What a host's hardware looks like: the same host seed always gives the same machine. */
export interface HostHardware {
  vendor: string;
  model: string;
  uuid: string;
  serialNumber: string;
  biosVersion: string;
  cpuModel: string;
  cpuVendor: 'intel';
  hz: number;
  busHz: number;
  packages: number;
  coresPerPackage: number;
  threadsPerCore: number;
  memoryBytes: number;
  /** Physical NICs (vmnic0..): MAC and PCI address; vmnic0 uplinks vSwitch0. */
  pnics: { device: string; mac: string; pci: string; speedMb: number }[];
  /** The management VMkernel NIC (vmk0): the host's lab address. */
  vmk0: { mac: string; ip: string; netmask: string };
  hbas: { device: string; model: string; driver: string; pci: string }[];
}

const MODELS = [
  { vendor: 'Dell Inc.', model: 'PowerEdge R750', bios: '1.10.2' },
  { vendor: 'HPE', model: 'ProLiant DL380 Gen10 Plus', bios: 'U46 v1.72' },
  { vendor: 'Lenovo', model: 'ThinkSystem SR650 V2', bios: 'AFE124N-3.10' },
];

function mac(r: () => number, prefix: string): string {
  const b = Array.from({ length: 3 }, () => Math.floor(r() * 256).toString(16).padStart(2, '0'));
  return `${prefix}:${b.join(':')}`;
}

export function hostHardware(seed: string, host: HostSpec): HostHardware {
  const r = seededRandom(`${seed}:host:${host.moid}:hardware`);
  const m = MODELS[Math.floor(r() * MODELS.length)]!;
  const serial = Array.from({ length: 7 }, () => 'ABCDEFGHJKLMNPQRSTUVWXYZ0123456789'[Math.floor(r() * 34)]).join('');
  return {
    vendor: m.vendor,
    model: m.model,
    uuid: seededUuid(`${seed}:host:${host.moid}:uuid`),
    serialNumber: serial,
    biosVersion: m.bios,
    cpuModel: 'Intel(R) Xeon(R) Gold 6338 CPU @ 2.00GHz',
    cpuVendor: 'intel',
    hz: 1_995_312_000,
    busHz: 99_999_000,
    packages: 2,
    coresPerPackage: 16,
    threadsPerCore: 2,
    memoryBytes: 512 * 1024 ** 3,
    pnics: [0, 1].map((i) => ({ device: `vmnic${i}`, mac: mac(r, 'b4:96:91'), pci: `0000:31:00.${i}`, speedMb: 25_000 })),
    vmk0: { mac: mac(r, '00:50:56'), ip: host.address, netmask: '255.0.0.0' },
    hbas: [
      { device: 'vmhba0', model: 'Dell HBA355i Front', driver: 'lsi_msgpt35', pci: '0000:4b:00.0' },
      { device: 'vmhba1', model: 'Lewisburg SATA AHCI Controller', driver: 'vmw_ahci', pci: '0000:00:17.0' },
    ],
  };
}
