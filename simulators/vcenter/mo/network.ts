import { data, type MoRef } from '../../core/codecs/vim25/index.ts';
import type { SoapEngine } from '../engine.ts';
import { ManagedEntity } from './entity.ts';

/** A standard port group network ("VM Network"): the default network VM creation clients look for. */
export class Network extends ManagedEntity {
  constructor(engine: SoapEngine, value: string, name: string, parent: MoRef, readonly hosts: () => MoRef[], readonly vms: () => MoRef[]) {
    super(engine, 'Network', value, () => name, () => parent);
    this.expose({
      summary: () => data('NetworkSummary', { network: this.ref, name, accessible: true, ipPoolName: '' }),
      host: hosts,
      vm: vms,
    });
  }
}
