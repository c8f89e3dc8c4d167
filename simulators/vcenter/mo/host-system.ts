import { data, type DataObject, type MoRef } from '../../core/codecs/vim25/index.ts';
import type { SoapEngine } from '../engine.ts';
import type { HostSpec } from '../../inventory/types.ts';
import { hostHardware } from '../../inventory/host-hardware.ts';
import { vsphereOf } from '../state.ts';
import { ManagedEntity } from './entity.ts';
import { hardwareInfo, hardwareSummary, hostConfigInfo, hostProduct } from './host-config.ts';

export interface HostLinks {
  vms: () => MoRef[];
  datastores: () => MoRef[];
  networks: () => MoRef[];
  /** configManager.* references (registered by the model). */
  configManager: Record<string, MoRef>;
  datastoreBrowser: MoRef;
}

/** An ESXi host as vCenter (host-10) or the host itself (ha-host) reports it. */
export class HostSystem extends ManagedEntity {
  constructor(engine: SoapEngine, value: string, readonly spec: HostSpec, parent: MoRef, links: HostLinks) {
    super(engine, 'HostSystem', value, () => spec.name, () => parent);
    const hw = hostHardware(engine.world.inventory.seed, spec);
    const product = hostProduct();
    const runtime = () =>
      data('HostRuntimeInfo', { connectionState: 'connected', powerState: 'poweredOn', inMaintenanceMode: false, bootTime: new Date(0) });
    const pem = () => vsphereOf(engine.world).hostCerts.get(spec.component)?.pem;
    this.expose({
      vm: links.vms,
      datastore: links.datastores,
      network: links.networks,
      datastoreBrowser: () => links.datastoreBrowser,
      runtime,
      hardware: () => hardwareInfo(hw),
      configManager: () => data('HostConfigManager', { ...links.configManager }),
      config: () => hostConfigInfo(this.ref, spec, hw, pem(), {}),
      capability: () => data('HostCapability', { recursiveResourcePoolsSupported: true, cpuMemoryResourceConfigurationSupported: true, rebootSupported: true, shutdownSupported: true, vmotionSupported: true, standbySupported: false, datastorePrincipalSupported: false, restrictedSnapshotRelocateSupported: true, perVmSwapFiles: true, localSwapDatastoreSupported: true, unsharedSwapVMotionSupported: true, backgroundSnapshotsSupported: false, preAssignedPCIUnitNumbersSupported: true, screenshotSupported: true, scaledScreenshotSupported: true, storageVMotionSupported: true, vmotionWithStorageVMotionSupported: true, hbrNicSelectionSupported: true, recordReplaySupported: false, ftSupported: false, smpFtSupported: true, maxVcpusPerFtVm: 8, maxRegisteredVMs: 1024, nfsSupported: true, iscsiSupported: true, vlanTaggingSupported: true, nicTeamingSupported: true, highGuestMemSupported: true, maintenanceModeSupported: true, suspendedRelocateSupported: true, virtualExecUsageSupported: true, storageIORMSupported: true, vmDirectPathGen2Supported: true, vStorageCapable: true, snapshotRelayoutSupported: true, firewallIpRulesSupported: true, servicePackageInfoSupported: true, cloneFromSnapshotSupported: true, deltaDiskBackingsSupported: true, perVMNetworkTrafficShapingSupported: false, tpmSupported: true, virtualMmuUsageIgnored: true, vmfs3EOLSupported: false }),
      summary: () => this.summary(runtime(), product, hw),
    });
  }

  private summary(runtime: DataObject, product: DataObject, hw: ReturnType<typeof hostHardware>): DataObject {
    const spec = this.spec;
    return data('HostListSummary', {
      host: this.ref,
      hardware: hardwareSummary(hw),
      runtime,
      config: data('HostConfigSummary', { name: spec.name, port: 443, sslThumbprint: this.engine.options.thumbprintOf(spec.component), product, vmotionEnabled: true, faultToleranceEnabled: false }),
      quickStats: data('HostListSummaryQuickStats', { overallCpuUsage: 1200, overallMemoryUsage: 16384, distributedCpuFairness: 0, distributedMemoryFairness: 0, uptime: 86400 }),
      overallStatus: 'green',
      rebootRequired: false,
    });
  }
}
