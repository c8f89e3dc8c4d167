import { arrayOf, data, type DataObject } from '../../core/codecs/vim25/index.ts';
import { seededUuid } from '../../core/seeded.ts';
import type { DiskSpec } from '../../inventory/types.ts';
import type { SoapEngine } from '../engine.ts';
import type { VmState } from '../state.ts';

export interface DiskBacking {
  key: number;
  fileName: string;
  changeId: string | undefined;
}

const SCSI_KEY = 1000;

/** config.hardware.device for a VM or one of its snapshots (whose disk backings are frozen). */
export function vmDevices(engine: SoapEngine, vm: VmState, backings: DiskBacking[]): DataObject[] {
  const spec = vm.spec;
  const dsRef = engine.layout.datastoreRef(spec.datastore);
  const disks = spec.disks.map((d) => virtualDisk(d, backings.find((b) => b.key === d.key), dsRef, vm.spec.cbtEnabled));
  return arrayOf('VirtualDevice', [
    data('VirtualLsiLogicSASController', {
      key: SCSI_KEY,
      deviceInfo: data('Description', { label: 'SCSI controller 0', summary: 'LSI Logic SAS' }),
      controllerKey: 100,
      unitNumber: 3,
      busNumber: 0,
      device: spec.disks.map((d) => d.key),
      hotAddRemove: true,
      sharedBus: 'noSharing',
      scsiCtlrUnitNumber: 7,
    }),
    ...disks,
    data('VirtualVmxnet3', {
      key: 4000,
      deviceInfo: data('Description', { label: 'Network adapter 1', summary: 'VM Network' }),
      backing: data('VirtualEthernetCardNetworkBackingInfo', { deviceName: 'VM Network' }),
      connectable: data('VirtualDeviceConnectInfo', { startConnected: true, allowGuestControl: true, connected: spec.powerState === 'poweredOn' }),
      controllerKey: 100,
      unitNumber: 7,
      addressType: 'assigned',
      macAddress: macOf(spec.uuid),
      wakeOnLanEnabled: true,
    }),
  ]);
}

function virtualDisk(d: DiskSpec, b: DiskBacking | undefined, datastore: DataObject['obj'], cbt: boolean): DataObject {
  const kb = Math.floor(d.capacityBytes / 1024);
  return data('VirtualDisk', {
    key: d.key,
    deviceInfo: data('Description', { label: d.label, summary: `${kb.toLocaleString('en-US')} KB` }),
    backing: data('VirtualDiskFlatVer2BackingInfo', {
      fileName: b?.fileName ?? d.fileName,
      datastore,
      diskMode: 'persistent',
      split: false,
      writeThrough: false,
      thinProvisioned: true,
      uuid: seededUuid(`${d.seed}:backing`),
      contentId: seededUuid(`${d.seed}:content`).replace(/-/g, ''),
      changeId: cbt ? b?.changeId : undefined,
      digestEnabled: false,
      sharing: 'sharingNone',
      keyId: d.encrypted ? data('CryptoKeyId', { keyId: seededUuid(`${d.seed}:key`), providerId: data('KeyProviderId', { id: 'lab-kms' }) }) : undefined,
    }),
    controllerKey: SCSI_KEY,
    unitNumber: d.unitNumber,
    capacityInKB: kb,
    capacityInBytes: d.capacityBytes,
  });
}

/** The VM's vmxnet3 MAC (VMware's 00:50:56 prefix), derived from its BIOS uuid. */
export function macOf(uuid: string): string {
  const hex = uuid.replace(/-/g, '');
  return `00:50:56:${hex.slice(0, 2)}:${hex.slice(2, 4)}:${hex.slice(4, 6)}`;
}

/** VirtualMachineConfigInfo; hardware is computed only when a path or serializer reaches it. */
export function vmConfigInfo(engine: SoapEngine, vm: VmState, backings: () => DiskBacking[]): DataObject {
  const s = vm.spec;
  const vmx = `[${s.disks[0]?.datastore ?? 'datastore1'}] ${s.name}/${s.name}.vmx`;
  const dir = vmx.slice(0, vmx.lastIndexOf('/') + 1);
  const cfg: DataObject = data('VirtualMachineConfigInfo', {
    changeVersion: vm.modified.toISOString(),
    modified: vm.modified,
    name: s.name,
    guestFullName: s.guestFullName,
    version: 'vmx-19',
    uuid: s.uuid,
    instanceUuid: s.instanceUuid,
    npivTemporaryDisabled: true,
    template: false,
    guestId: s.guestId,
    alternateGuestName: '',
    files: data('VirtualMachineFileInfo', { vmPathName: vmx, snapshotDirectory: dir, suspendDirectory: dir, logDirectory: dir }),
    flags: data('VirtualMachineFlagInfo', {}),
    defaultPowerOps: data('VirtualMachineDefaultPowerOpInfo', {}),
  });
  Object.defineProperty(cfg, 'hardware', {
    enumerable: true,
    get: () => data('VirtualHardware', { numCPU: s.numCpu, numCoresPerSocket: 1, memoryMB: s.memoryMB, device: vmDevices(engine, vm, backings()) }),
  });
  cfg.changeTrackingEnabled = s.cbtEnabled;
  cfg.firmware = s.guestFamily === 'windowsGuest' ? 'efi' : 'bios';
  return cfg;
}
