import type { MoRef } from '../../core/codecs/vim25/index.ts';
import type { VmState } from '../state.ts';

/** A storage controller of a VM (SCSI, SATA, NVMe); disks hang off it by key. */
export interface ControllerState {
  key: number;
  /** vim25 type: ParaVirtualSCSIController, VirtualLsiLogicSASController ... */
  type: string;
  busNumber: number;
  sharedBus: string;
}

export interface NicState {
  key: number;
  type: string;
  network: string;
  networkRef?: MoRef;
  macAddress: string;
  unitNumber: number;
  startConnected: boolean;
}

/**
 * What a VM has beyond the inventory's disk list: controllers, NICs, which controller each disk is on,
 * and the settings ReconfigVM stores. Kept beside the shared VmState (not in the inventory spec that
 * other rooms read), created with vCenter's defaults on first use.
 */
export interface VmHardware {
  controllers: ControllerState[];
  nics: NicState[];
  /** disk key -> controller key; a disk not listed is on the first controller. */
  diskController: Map<number, number>;
  extraConfig: Map<string, string>;
  annotation: string;
  template: boolean;
}

export const SCSI_TYPES = new Set(['ParaVirtualSCSIController', 'VirtualLsiLogicSASController', 'VirtualLsiLogicController', 'VirtualBusLogicController']);
export const CONTROLLER_TYPES = new Set([...SCSI_TYPES, 'VirtualAHCIController', 'VirtualNVMEController']);
export const NIC_TYPES = new Set(['VirtualVmxnet3', 'VirtualE1000', 'VirtualE1000e', 'VirtualVmxnet2', 'VirtualPCNet32']);
/** The SCSI initiator's own unit: no disk may use it. */
export const SCSI_CONTROLLER_UNIT = 7;

const hardware = new WeakMap<VmState, VmHardware>();

/** Every VM of the seeded inventory has one LSI Logic SAS controller (key 1000) and one vmxnet3 NIC. */
export function hardwareOf(vm: VmState): VmHardware {
  let hw = hardware.get(vm);
  if (!hw) {
    hw = emptyHardware();
    hw.controllers.push({ key: 1000, type: 'VirtualLsiLogicSASController', busNumber: 0, sharedBus: 'noSharing' });
    hw.nics.push({ key: 4000, type: 'VirtualVmxnet3', network: 'VM Network', macAddress: macOf(vm.spec.uuid, 0), unitNumber: 7, startConnected: true });
    hardware.set(vm, hw);
  }
  return hw;
}

/** Without building the default record: inventory listings read this for every VM. */
export function isTemplate(vm: VmState): boolean {
  return hardware.get(vm)?.template ?? false;
}

export function emptyHardware(): VmHardware {
  return { controllers: [], nics: [], diskController: new Map(), extraConfig: new Map(), annotation: '', template: false };
}

export function setHardware(vm: VmState, hw: VmHardware): void {
  hardware.set(vm, hw);
}

/** A deep copy (clone, register): the copy's changes never reach the original. */
export function copyHardware(hw: VmHardware): VmHardware {
  return {
    controllers: hw.controllers.map((c) => ({ ...c })),
    nics: hw.nics.map((n) => ({ ...n })),
    diskController: new Map(hw.diskController),
    extraConfig: new Map(hw.extraConfig),
    annotation: hw.annotation,
    template: hw.template,
  };
}

export function controllerOfDisk(hw: VmHardware, diskKey: number): number {
  return hw.diskController.get(diskKey) ?? hw.controllers[0]?.key ?? 1000;
}

/** VMware's OUI with the rest derived from the VM's uuid (stable per NIC index). */
export function macOf(uuid: string, index: number): string {
  const hex = uuid.replace(/-/g, '');
  const last = (parseInt(hex.slice(4, 6), 16) + index) & 0xff;
  return `00:50:56:${hex.slice(0, 2)}:${hex.slice(2, 4)}:${last.toString(16).padStart(2, '0')}`;
}
