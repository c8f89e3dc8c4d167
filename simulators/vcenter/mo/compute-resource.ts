import { data, type MoRef } from '../../core/codecs/vim25/index.ts';
import type { SoapEngine } from '../engine.ts';
import { ManagedEntity } from './entity.ts';
import type { Args } from '../soap/args.ts';
import type { CallContext } from '../engine.ts';
import { importVApp } from './http-nfc-lease.ts';

/** A cluster on vCenter (ClusterComputeResource) or the host's own ComputeResource on ESXi. */
export class ComputeResource extends ManagedEntity {
  constructor(
    engine: SoapEngine,
    type: 'ClusterComputeResource' | 'ComputeResource',
    value: string,
    name: string,
    parent: MoRef,
    readonly hosts: () => MoRef[],
    readonly pool: MoRef,
    datastores: () => MoRef[],
  ) {
    super(engine, type, value, () => name, () => parent, type === 'ClusterComputeResource' ? ['ComputeResource'] : []);
    this.expose({
      host: hosts,
      resourcePool: () => pool,
      datastore: datastores,
      network: () => [],
      summary: () =>
        data('ComputeResourceSummary', {
          totalCpu: 96_000,
          totalMemory: 512 * 1024 ** 3,
          numCpuCores: 48,
          numCpuThreads: 96,
          effectiveCpu: 90_000,
          effectiveMemory: 500_000,
          numHosts: hosts().length,
          numEffectiveHosts: hosts().length,
          overallStatus: 'green',
        }),
    });
  }

  override children(): MoRef[] {
    return [...this.hosts(), this.pool];
  }
}

export class ResourcePool extends ManagedEntity {
  constructor(engine: SoapEngine, value: string, parent: MoRef, readonly vms: () => MoRef[]) {
    super(engine, 'ResourcePool', value, () => 'Resources', () => parent);
    this.expose({ vm: vms, resourcePool: () => [], owner: () => parent });
  }

  ImportVApp(args: Args, call: CallContext): MoRef {
    return importVApp(this, args, call);
  }

  override children(): MoRef[] {
    return this.vms();
  }
}
