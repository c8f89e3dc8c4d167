import type { SoapEngine } from '../engine.ts';
import { ManagedObject } from '../managed-object.ts';
import type { Args } from '../soap/args.ts';

/** First-class disks (FCD): none exist in the lab, so listings are empty; the datastore must exist. */
export class VStorageObjectManager extends ManagedObject {
  constructor(engine: SoapEngine, id: string) {
    super(engine, engine.flavor === 'vcenter' ? 'VcenterVStorageObjectManager' : 'HostVStorageObjectManager', id, ['VStorageObjectManagerBase']);
  }

  ListVStorageObject(args: Args): string[] {
    this.engine.require(args.ref('datastore', 'Datastore'));
    return [];
  }

  /** The host agent's name for the same call. */
  HostListVStorageObject(args: Args): string[] {
    return this.ListVStorageObject(args);
  }
}
