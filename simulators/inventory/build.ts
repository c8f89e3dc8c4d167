import { seededRandom, seededUuid } from '../core/seeded.ts';
import type { DiskSpec, GuestFamily, Inventory, PowerState, SqlServerSpec, VmSpec } from './types.ts';

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

export interface InventoryOptions {
  seed: string;
  /** Generate this many VMs instead of the small hand-written lab. */
  vms?: number;
  hosts?: number;
  domain?: string;
  /** VMs added after the default or generated ones (benchmarks, scenarios needing a particular disk). */
  extraVms?: ExtraVmOptions[];
}

/** A custom VM: only the name and disks are required; it is a powered-on Linux VM with Tools and CBT by default. */
export interface ExtraVmOptions {
  name: string;
  guest?: 'windows' | 'linux';
  powerState?: PowerState;
  toolsRunning?: boolean;
  cbtEnabled?: boolean;
  /** allocatedMiB defaults to the whole capacity (a fully written disk). */
  disks: { capacityGiB: number; allocatedMiB?: number; encrypted?: boolean }[];
}

function extraTemplate(v: ExtraVmOptions): VmTemplate {
  return {
    name: v.name,
    ...(v.guest === 'windows' ? WINDOWS : LINUX),
    powerState: v.powerState ?? 'poweredOn',
    toolsRunning: v.toolsRunning ?? true,
    cbtEnabled: v.cbtEnabled ?? true,
    disks: v.disks.map((d) => ({ capacityGiB: d.capacityGiB, allocatedMiB: d.allocatedMiB ?? d.capacityGiB * 1024, encrypted: d.encrypted })),
  };
}

interface VmTemplate {
  name: string;
  family: GuestFamily;
  guestId: string;
  guestFullName: string;
  powerState: PowerState;
  toolsRunning: boolean;
  cbtEnabled: boolean;
  disks: { capacityGiB: number; allocatedMiB: number; encrypted?: boolean }[];
  sqlServer?: SqlServerSpec;
}

const WINDOWS = { family: 'windowsGuest' as const, guestId: 'windows2019srv_64Guest', guestFullName: 'Microsoft Windows Server 2019 (64-bit)' };
const LINUX = { family: 'linuxGuest' as const, guestId: 'ubuntu64Guest', guestFullName: 'Ubuntu Linux (64-bit)' };

/** The default lab: small, realistic, and with one VM for each case a backup proxy must handle. */
const DEFAULT_VMS: VmTemplate[] = [
  {
    name: 'sql01', ...WINDOWS, powerState: 'poweredOn', toolsRunning: true, cbtEnabled: false,
    disks: [{ capacityGiB: 40, allocatedMiB: 48 }, { capacityGiB: 20, allocatedMiB: 24 }],
    sqlServer: {
      instances: [{
        name: 'MSSQLSERVER',
        databases: [
          { name: 'SalesDB', recoveryModel: 'FULL', sizeMb: 64 },
          { name: 'HRDB', recoveryModel: 'SIMPLE', sizeMb: 16 },
          { name: 'InventoryDB', recoveryModel: 'BULK_LOGGED', sizeMb: 8 },
        ],
      }],
    },
  },
  { name: 'web01', ...LINUX, powerState: 'poweredOn', toolsRunning: true, cbtEnabled: true, disks: [{ capacityGiB: 16, allocatedMiB: 32 }] },
  { name: 'app01', ...WINDOWS, powerState: 'poweredOn', toolsRunning: true, cbtEnabled: true, disks: [{ capacityGiB: 32, allocatedMiB: 32 }] },
  { name: 'dc01', ...WINDOWS, powerState: 'poweredOn', toolsRunning: false, cbtEnabled: true, disks: [{ capacityGiB: 24, allocatedMiB: 16 }] },
  { name: 'build01', ...LINUX, powerState: 'poweredOff', toolsRunning: false, cbtEnabled: false, disks: [{ capacityGiB: 8, allocatedMiB: 16 }] },
  { name: 'vault01', ...LINUX, powerState: 'poweredOn', toolsRunning: true, cbtEnabled: true, disks: [{ capacityGiB: 8, allocatedMiB: 8, encrypted: true }] },
];

function generatedVms(count: number, seed: string): VmTemplate[] {
  const rnd = seededRandom(`${seed}:vms`);
  const out: VmTemplate[] = [];
  for (let i = 1; i <= count; i++) {
    const windows = rnd() < 0.6;
    const os = windows ? WINDOWS : LINUX;
    out.push({
      name: `${windows ? 'win' : 'lnx'}-${String(i).padStart(4, '0')}`,
      ...os,
      powerState: rnd() < 0.9 ? 'poweredOn' : 'poweredOff',
      toolsRunning: rnd() < 0.85,
      cbtEnabled: rnd() < 0.7,
      disks: Array.from({ length: 1 + Math.floor(rnd() * 2) }, () => ({
        capacityGiB: 8 * (1 + Math.floor(rnd() * 16)),
        allocatedMiB: 4 * (1 + Math.floor(rnd() * 8)),
      })),
    });
  }
  return out;
}

/**
 * Builds the inventory from a seed. `addressOf` gives each host and guest its lab address, so the
 * IP vCenter reports is where that guest's listeners really are.
 */
export function buildInventory(opts: InventoryOptions, addressOf: (component: string) => string): Inventory {
  const domain = opts.domain ?? 'lab.test';
  const hostCount = Math.max(1, opts.hosts ?? 2);
  const datastores = Array.from({ length: hostCount }, (_, i) => ({
    moid: `datastore-${11 + i}`,
    name: `datastore${i + 1}`,
    capacityBytes: 4096 * GiB,
  }));
  const hosts = Array.from({ length: hostCount }, (_, i) => {
    const component = `esxi-${String(i + 1).padStart(2, '0')}`;
    return {
      moid: `host-${10 + i * 2}`,
      component,
      name: `${component}.${domain}`,
      address: addressOf(component),
      datastores: [datastores[i]!.moid],
    };
  });
  const templates = [...(opts.vms === undefined ? DEFAULT_VMS : generatedVms(opts.vms, opts.seed)), ...(opts.extraVms ?? []).map(extraTemplate)];
  const names = new Set<string>();
  for (const t of templates) {
    if (names.has(t.name)) throw new Error(`inventory: two VMs named ${t.name}`);
    names.add(t.name);
  }
  const vms: VmSpec[] = templates.map((t, i) => {
    const host = hosts[i % hosts.length]!;
    const ds = datastores[i % datastores.length]!;
    const disks: DiskSpec[] = t.disks.map((d, n) => ({
      key: 2000 + n,
      label: `Hard disk ${n + 1}`,
      unitNumber: n,
      capacityBytes: d.capacityGiB * GiB,
      allocatedBytes: d.allocatedMiB * MiB,
      datastore: ds.name,
      fileName: `[${ds.name}] ${t.name}/${t.name}${n === 0 ? '' : '_' + n}.vmdk`,
      seed: `${opts.seed}:${t.name}:disk${n}`,
      encrypted: d.encrypted ?? false,
    }));
    return {
      moid: `vm-${101 + i}`,
      name: t.name,
      uuid: seededUuid(`${opts.seed}:${t.name}:uuid`),
      instanceUuid: seededUuid(`${opts.seed}:${t.name}:instanceUuid`),
      guestFamily: t.family,
      guestId: t.guestId,
      guestFullName: t.guestFullName,
      ip: addressOf(`guest-${t.name}`),
      hostname: `${t.name}.${domain}`,
      toolsRunning: t.toolsRunning,
      powerState: t.powerState,
      host: host.moid,
      datastore: ds.moid,
      cbtEnabled: t.cbtEnabled,
      numCpu: t.family === 'windowsGuest' ? 4 : 2,
      memoryMB: t.family === 'windowsGuest' ? 8192 : 4096,
      disks,
      sqlServer: t.sqlServer,
    };
  });
  return {
    seed: opts.seed,
    datacenter: { moid: 'datacenter-1', name: 'Lab-DC' },
    cluster: { moid: 'domain-c7', name: 'Lab-Cluster' },
    hosts,
    datastores,
    vms,
  };
}
