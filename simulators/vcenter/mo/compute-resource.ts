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
    networks: () => MoRef[] = () => [],
  ) {
    super(engine, type, value, () => name, () => parent, type === 'ClusterComputeResource' ? ['ComputeResource'] : []);
    this.expose({
      host: hosts,
      resourcePool: () => pool,
      datastore: datastores,
      network: networks,
      ...(type === 'ClusterComputeResource' ? { configurationEx: () => clusterConfig(), configuration: () => clusterConfig('ClusterConfigInfo') } : { configurationEx: () => data('ComputeResourceConfigInfo', { vmSwapPlacement: 'vmDirectory', spbmEnabled: true, defaultHardwareVersionKey: 'vmx-19' }) }),
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

/** HA and DRS as a fresh cluster has them: HA on with host monitoring, DRS fully automated. */
function clusterConfig(type = 'ClusterConfigInfoEx') {
  const das = data('ClusterDasConfigInfo', { enabled: true, vmMonitoring: 'vmMonitoringDisabled', hostMonitoring: 'enabled', vmComponentProtecting: 'disabled', failoverLevel: 1, admissionControlEnabled: true, defaultVmSettings: data('ClusterDasVmSettings', { restartPriority: 'medium', isolationResponse: 'none' }), option: [], heartbeatDatastore: [], hBDatastoreCandidatePolicy: 'allFeasibleDsWithUserPreference' });
  const drs = data('ClusterDrsConfigInfo', { enabled: true, enableVmBehaviorOverrides: true, defaultVmBehavior: 'fullyAutomated', vmotionRate: 3, option: [] });
  if (type === 'ClusterConfigInfo') return data(type, { dasConfig: das, dasVmConfig: [], drsConfig: drs, drsVmConfig: [], rule: [] });
  return data(type, {
    vmSwapPlacement: 'vmDirectory',
    spbmEnabled: true,
    defaultHardwareVersionKey: 'vmx-19',
    dasConfig: das,
    dasVmConfig: [],
    drsConfig: drs,
    drsVmConfig: [],
    rule: [],
    dpmConfigInfo: data('ClusterDpmConfigInfo', { enabled: false, defaultDpmBehavior: 'automated', hostPowerActionRate: 3 }),
    dpmHostConfig: [],
    group: [],
  });
}

const unlimited = (shares: number) =>
  data('ResourceAllocationInfo', { reservation: 0, expandableReservation: true, limit: -1, shares: data('SharesInfo', { shares, level: 'normal' }), overheadLimit: undefined });

/** The root resource pool: unlimited, expandable, normal shares; its runtime derives from the cluster's capacity. */
export class ResourcePool extends ManagedEntity {
  constructor(engine: SoapEngine, value: string, parent: MoRef, readonly vms: () => MoRef[]) {
    super(engine, 'ResourcePool', value, () => 'Resources', () => parent);
    const config = () => data('ResourceConfigSpec', { entity: this.ref, changeVersion: '1', cpuAllocation: unlimited(4000), memoryAllocation: unlimited(163840) });
    const usage = (max: number, used: number) =>
      data('ResourcePoolResourceUsage', { reservationUsed: 0, reservationUsedForVm: 0, unreservedForPool: max, unreservedForVm: max, overallUsage: used, maxUsage: max });
    const runtime = () => data('ResourcePoolRuntimeInfo', { memory: usage(500 * 1024 ** 3, 16 * 1024 ** 3), cpu: usage(90_000, 1200), overallStatus: 'green' });
    this.expose({
      vm: vms,
      resourcePool: () => [],
      owner: () => parent,
      config,
      runtime,
      summary: () => data('ResourcePoolSummary', { name: 'Resources', config: config(), runtime: runtime(), quickStats: data('ResourcePoolQuickStats', { overallCpuUsage: 1200, guestMemoryUsage: 16384 }), configuredMemoryMB: 0 }),
    });
  }

  ImportVApp(args: Args, call: CallContext): MoRef {
    return importVApp(this, args, call);
  }

  override children(): MoRef[] {
    return this.vms();
  }
}
