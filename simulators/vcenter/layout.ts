import type { MoRef } from '../core/codecs/vim25/index.ts';
import type { VmState } from './state.ts';

/** Where an endpoint's inventory objects hang: what a VM reports as parent, pool, host, datastore. */
export interface Layout {
  rootFolder: MoRef;
  datacenter: MoRef;
  vmFolder: MoRef;
  poolOf(hostMoid: string): MoRef;
  hostRef(hostMoid: string): MoRef;
  datastoreRef(datastoreMoid: string): MoRef;
  /** The VMs this endpoint manages (all on vCenter, its own on a host). */
  vms(): VmState[];
  vmRef(moid: string): MoRef;
  /** The datacenter's "VM Network" (what VMs and hosts report in `network`). */
  network?: MoRef;
}
