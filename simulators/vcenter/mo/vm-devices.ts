import { anyType, arrayOf, data, type DataObject } from '../../core/codecs/vim25/index.ts';
import { seededUuid } from '../../core/seeded.ts';
import type { DiskSpec } from '../../inventory/types.ts';
import type { SoapEngine } from '../engine.ts';
import type { VmState } from '../state.ts';
import { controllerOfDisk, hardwareOf, SCSI_CONTROLLER_UNIT, SCSI_TYPES } from './vm-hardware.ts';

export interface DiskBacking {
  key: number;
  fileName: string;
  changeId: string | undefined;
}

/** config.hardware.device for a VM or one of its snapshots (whose disk backings are frozen). */
export function vmDevices(engine: SoapEngine, vm: VmState, backings: DiskBacking[]): DataObject[] {
  const spec = vm.spec;
  const hw = hardwareOf(vm);
  const dsRef = engine.layout.datastoreRef(spec.datastore);
  const disks = spec.disks.map((d) => virtualDisk(d, backings.find((b) => b.key === d.key), dsRef, vm.spec.cbtEnabled, controllerOfDisk(hw, d.key)));
  return arrayOf('VirtualDevice', [
    ...hw.controllers.map((c) =>
      data(c.type, {
        key: c.key,
        deviceInfo: data('Description', { label: `${SCSI_TYPES.has(c.type) ? 'SCSI' : c.type === 'VirtualNVMEController' ? 'NVME' : 'SATA'} controller ${c.busNumber}`, summary: CONTROLLER_SUMMARY[c.type] ?? c.type }),
        controllerKey: 100,
        unitNumber: 3 + c.busNumber,
        busNumber: c.busNumber,
        device: spec.disks.filter((d) => controllerOfDisk(hw, d.key) === c.key).map((d) => d.key),
        ...(SCSI_TYPES.has(c.type) ? { hotAddRemove: true, sharedBus: c.sharedBus, scsiCtlrUnitNumber: SCSI_CONTROLLER_UNIT } : {}),
      }),
    ),
    ...disks,
    ...hw.nics.map((n, i) =>
      data(n.type, {
        key: n.key,
        deviceInfo: data('Description', { label: `Network adapter ${i + 1}`, summary: n.network }),
        backing: data('VirtualEthernetCardNetworkBackingInfo', { deviceName: n.network, network: n.networkRef }),
        connectable: data('VirtualDeviceConnectInfo', { startConnected: n.startConnected, allowGuestControl: true, connected: spec.powerState === 'poweredOn' && n.startConnected }),
        controllerKey: 100,
        unitNumber: n.unitNumber,
        addressType: 'assigned',
        macAddress: n.macAddress,
        wakeOnLanEnabled: true,
      }),
    ),
  ]);
}

const CONTROLLER_SUMMARY: Record<string, string> = {
  VirtualLsiLogicSASController: 'LSI Logic SAS',
  ParaVirtualSCSIController: 'VMware paravirtual SCSI',
  VirtualLsiLogicController: 'LSI Logic',
  VirtualBusLogicController: 'BusLogic',
  VirtualAHCIController: 'AHCI',
  VirtualNVMEController: 'NVME',
};

function virtualDisk(d: DiskSpec, b: DiskBacking | undefined, datastore: DataObject['obj'], cbt: boolean, controllerKey: number): DataObject {
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
    controllerKey,
    unitNumber: d.unitNumber,
    capacityInKB: kb,
    capacityInBytes: d.capacityBytes,
  });
}

/** The VM's .vmx path: its directory is on the first disk's datastore, named after the VM. */
export function vmxPathOf(vm: VmState): string {
  const s = vm.spec;
  return `[${s.disks[0]?.datastore ?? 'datastore1'}] ${s.name}/${s.name}.vmx`;
}

/** VirtualMachineConfigInfo; hardware is computed only when a path or serializer reaches it. */
export function vmConfigInfo(engine: SoapEngine, vm: VmState, backings: () => DiskBacking[]): DataObject {
  const s = vm.spec;
  const hw = hardwareOf(vm);
  const vmx = vmxPathOf(vm);
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
    template: hw.template,
    annotation: hw.annotation || undefined,
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
  cfg.extraConfig = arrayOf('OptionValue', [...hw.extraConfig].map(([key, value]) => data('OptionValue', { key, value: anyType(value) })));
  cfg.changeTrackingEnabled = s.cbtEnabled;
  cfg.firmware = s.guestFamily === 'windowsGuest' ? 'efi' : 'bios';
  return cfg;
}
