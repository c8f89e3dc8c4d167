import { data, type MoRef } from '../../core/codecs/vim25/index.ts';
import type { SoapEngine } from '../engine.ts';
import type { DatastoreSpec } from '../../inventory/types.ts';
import { ManagedEntity } from './entity.ts';

export class Datastore extends ManagedEntity {
  constructor(engine: SoapEngine, value: string, readonly spec: DatastoreSpec, parent: MoRef, hosts: () => MoRef[], vms: () => MoRef[], browser?: MoRef) {
    super(engine, 'Datastore', value, () => spec.name, () => parent);
    const url = `ds:///vmfs/volumes/${spec.moid}/`;
    this.expose({
      summary: () =>
        data('DatastoreSummary', {
          datastore: this.ref,
          name: spec.name,
          url,
          capacity: spec.capacityBytes,
          freeSpace: Math.floor(spec.capacityBytes * 0.6),
          accessible: true,
          multipleHostAccess: hosts().length > 1,
          type: 'VMFS',
        }),
      info: () => data('VmfsDatastoreInfo', { name: spec.name, url, freeSpace: Math.floor(spec.capacityBytes * 0.6), maxFileSize: 62 * 1024 ** 4 }),
      host: () => hosts().map((h) => data('DatastoreHostMount', { key: h, mountInfo: data('HostMountInfo', { path: `/vmfs/volumes/${spec.moid}`, accessMode: 'readWrite', mounted: true, accessible: true }) })),
      vm: vms,
      browser: () => browser,
    });
  }
}
