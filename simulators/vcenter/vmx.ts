import { seededUuid } from '../core/seeded.ts';
import type { DiskSpec } from '../inventory/types.ts';
import type { VmState } from './state.ts';
import { controllerOfDisk, hardwareOf } from './mo/vm-hardware.ts';

/** The text files ESXi keeps in a VM's folder, generated from the VM's live state. */

/** vmx uuid form: "56 4d 12 34 56 78 9a bc-de f0 12 34 56 78 9a bc". */
function vmxUuid(uuid: string): string {
  const hex = uuid.replace(/-/g, '').match(/../g)!;
  return `${hex.slice(0, 8).join(' ')}-${hex.slice(8).join(' ')}`;
}

/** The .vmx names of the vim25 device types. */
const VMX_SCSI_DEV: Record<string, string> = {
  VirtualLsiLogicSASController: 'lsisas1068',
  ParaVirtualSCSIController: 'pvscsi',
  VirtualLsiLogicController: 'lsilogic',
  VirtualBusLogicController: 'buslogic',
};
const VMX_NIC_DEV: Record<string, string> = { VirtualVmxnet3: 'vmxnet3', VirtualE1000: 'e1000', VirtualE1000e: 'e1000e', VirtualVmxnet2: 'vmxnet2', VirtualPCNet32: 'vlance' };

export interface VmxDisk {
  spec: DiskSpec;
  /** The disk's current file ("[ds] vm/vm-000001.vmdk" while a snapshot exists). */
  fileName: string;
  cbt: boolean;
}

/** Where a "[ds] dir/file" lives: datastore name and path below its root. */
export function splitDsPath(p: string): { ds: string; path: string } | undefined {
  const m = /^\[([^\]]+)\]\s*(.*)$/.exec(p);
  return m ? { ds: m[1]!, path: m[2]! } : undefined;
}

/**
 * `<vm>.vmx`: the keys backup products parse (disks scsiX:Y.fileName/present, CBT ctkEnabled and
 * scsiX:Y.ctkEnabled, uuids, hardware). Disks in the VM's folder are named relative to it, others by
 * their /vmfs/volumes path, as ESXi writes them.
 */
export function vmxText(vm: VmState, vmDir: { ds: string; path: string }, disks: VmxDisk[], dsIdOf: (name: string) => string): string {
  const s = vm.spec;
  const q = (v: string | number | boolean) => `"${String(v).replace(/"/g, '|22')}"`;
  const lines: [string, string | number | boolean][] = [
    ['.encoding', 'UTF-8'],
    ['config.version', 8],
    ['virtualHW.version', 19],
    ['displayName', s.name],
    ['guestOS', s.guestId],
    ['firmware', s.guestFamily === 'windowsGuest' ? 'efi' : 'bios'],
    ['numvcpus', s.numCpu],
    ['memSize', s.memoryMB],
    ['nvram', `${s.name}.nvram`],
    ['uuid.bios', vmxUuid(s.uuid)],
    ['vc.uuid', vmxUuid(s.instanceUuid)],
    ['ctkEnabled', s.cbtEnabled ? 'TRUE' : 'FALSE'],
  ];
  const hw = hardwareOf(vm);
  const busOf = new Map(hw.controllers.map((c) => [c.key, c.busNumber]));
  for (const c of hw.controllers) {
    const dev = VMX_SCSI_DEV[c.type];
    if (dev) lines.push([`scsi${c.busNumber}.present`, 'TRUE'], [`scsi${c.busNumber}.virtualDev`, dev], [`scsi${c.busNumber}.pciSlotNumber`, 160 + c.busNumber]);
  }
  for (const d of [...disks].sort((a, b) => a.spec.unitNumber - b.spec.unitNumber)) {
    const dev = `scsi${busOf.get(controllerOfDisk(hw, d.spec.key)) ?? 0}:${d.spec.unitNumber}`;
    const at = splitDsPath(d.fileName);
    const local = at && at.ds === vmDir.ds && at.path.startsWith(vmDir.path) ? at.path.slice(vmDir.path.length) : undefined;
    const file = local ?? (at ? `/vmfs/volumes/${dsIdOf(at.ds)}/${at.path}` : d.fileName);
    lines.push([`${dev}.present`, 'TRUE'], [`${dev}.deviceType`, 'scsi-hardDisk'], [`${dev}.fileName`, file], [`${dev}.mode`, 'persistent'], [`${dev}.ctkEnabled`, d.cbt ? 'TRUE' : 'FALSE']);
  }
  hw.nics.forEach((n, i) => {
    lines.push(
      [`ethernet${i}.present`, 'TRUE'],
      [`ethernet${i}.virtualDev`, VMX_NIC_DEV[n.type] ?? 'vmxnet3'],
      [`ethernet${i}.networkName`, n.network],
      [`ethernet${i}.addressType`, 'vpx'],
      [`ethernet${i}.generatedAddress`, n.macAddress],
      [`ethernet${i}.startConnected`, n.startConnected ? 'TRUE' : 'FALSE'],
    );
  });
  lines.push(['tools.syncTime', 'FALSE']);
  return lines.map(([k, v]) => `${k} = ${q(v)}`).join('\n') + '\n';
}

const SECTOR = 512;

/** A .vmdk descriptor (VMware's "Disk DescriptorFile" text) for a base disk or a snapshot delta. */
export function vmdkDescriptor(d: DiskSpec, fileBase: string, opts: { cbt: boolean; parent?: string }): string {
  const sectors = Math.ceil(d.capacityBytes / SECTOR);
  const cylinders = Math.min(65535, Math.floor(sectors / (255 * 63)));
  const cid = seededUuid(`${d.seed}:${fileBase}:cid`).slice(0, 8);
  const lines = [
    '# Disk DescriptorFile',
    'version=1',
    'encoding="UTF-8"',
    `CID=${cid}`,
    `parentCID=${opts.parent ? seededUuid(`${d.seed}:${opts.parent}:cid`).slice(0, 8) : 'ffffffff'}`,
    opts.parent ? `parentFileNameHint="${opts.parent}.vmdk"` : undefined,
    `createType="${opts.parent ? 'seSparse' : 'vmfs'}"`,
    opts.cbt ? `changeTrackPath="${fileBase}-ctk.vmdk"` : undefined,
    '',
    '# Extent description',
    opts.parent ? `RW ${sectors} SESPARSE "${fileBase}-sesparse.vmdk"` : `RW ${sectors} VMFS "${fileBase}-flat.vmdk"`,
    '',
    '# The Disk Data Base',
    '#DDB',
    '',
    'ddb.adapterType = "lsilogic"',
    `ddb.geometry.cylinders = "${cylinders}"`,
    'ddb.geometry.heads = "255"',
    'ddb.geometry.sectors = "63"',
    `ddb.longContentID = "${seededUuid(`${d.seed}:content`).replace(/-/g, '')}"`,
    'ddb.thinProvisioned = "1"',
    `ddb.uuid = "${vmxUuid(seededUuid(`${d.seed}:backing`))}"`,
    'ddb.virtualHWVersion = "19"',
  ];
  return lines.filter((l) => l !== undefined).join('\n') + '\n';
}
