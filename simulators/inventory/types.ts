export type GuestFamily = 'windowsGuest' | 'linuxGuest';
export type PowerState = 'poweredOn' | 'poweredOff' | 'suspended';

export interface DiskSpec {
  /** vSphere device key (2000, 2001...). */
  key: number;
  label: string;
  unitNumber: number;
  capacityBytes: number;
  /** Bytes the guest has written (what "*" QueryChangedDiskAreas returns); the disk model lays them out. */
  allocatedBytes: number;
  datastore: string;
  /** "[datastore1] sql01/sql01.vmdk" */
  fileName: string;
  /** Seed of its content; the disk model derives every byte from it. */
  seed: string;
  encrypted: boolean;
}

export interface SqlServerSpec {
  instances: { name: string; databases: { name: string; recoveryModel: 'SIMPLE' | 'FULL' | 'BULK_LOGGED'; sizeMb: number }[] }[];
}

export interface VmSpec {
  /** Managed object id: "vm-101". */
  moid: string;
  name: string;
  /** BIOS uuid (config.uuid) and vCenter instance uuid (config.instanceUuid). */
  uuid: string;
  instanceUuid: string;
  guestFamily: GuestFamily;
  guestId: string;
  guestFullName: string;
  /** The guest's lab address (guest.ipAddress), where its RDP/SSH/3542 listeners live. */
  ip: string;
  /** Guest hostname (guest.hostName) and DNS name of its certificate. */
  hostname: string;
  toolsRunning: boolean;
  powerState: PowerState;
  /** moid of the host it runs on. */
  host: string;
  datastore: string;
  cbtEnabled: boolean;
  numCpu: number;
  memoryMB: number;
  disks: DiskSpec[];
  sqlServer?: SqlServerSpec;
}

export interface HostSpec {
  moid: string;
  /** Lab component name: "esxi-01". */
  component: string;
  /** "esxi-01.lab.test" (the host's name in vCenter). */
  name: string;
  address: string;
  datastores: string[];
}

export interface DatastoreSpec {
  moid: string;
  name: string;
  capacityBytes: number;
}

export interface Inventory {
  seed: string;
  datacenter: { moid: string; name: string };
  cluster: { moid: string; name: string };
  hosts: HostSpec[];
  datastores: DatastoreSpec[];
  vms: VmSpec[];
}
