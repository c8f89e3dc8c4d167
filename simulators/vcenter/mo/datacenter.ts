import type { MoRef } from '../../core/codecs/vim25/index.ts';
import type { SoapEngine } from '../engine.ts';
import { ManagedEntity } from './entity.ts';

export interface DatacenterFolders {
  vmFolder: MoRef;
  hostFolder: MoRef;
  datastoreFolder: MoRef;
  networkFolder: MoRef;
}

export class Datacenter extends ManagedEntity {
  constructor(engine: SoapEngine, value: string, name: string, parent: MoRef, readonly folders: DatacenterFolders, datastores: () => MoRef[]) {
    super(engine, 'Datacenter', value, () => name, () => parent);
    this.expose({
      vmFolder: () => folders.vmFolder,
      hostFolder: () => folders.hostFolder,
      datastoreFolder: () => folders.datastoreFolder,
      networkFolder: () => folders.networkFolder,
      datastore: datastores,
      network: () => (engine.layout.network ? [engine.layout.network] : []),
    });
  }

  override children(): MoRef[] {
    return [this.folders.vmFolder, this.folders.hostFolder, this.folders.datastoreFolder, this.folders.networkFolder];
  }
}
