import { data, type MoRef } from '../../core/codecs/vim25/index.ts';
import type { SoapEngine } from '../engine.ts';
import type { HostSpec } from '../../inventory/types.ts';
import { ManagedEntity } from './entity.ts';

/** An ESXi host as vCenter (host-10) or the host itself (ha-host) reports it. */
export class HostSystem extends ManagedEntity {
  constructor(engine: SoapEngine, value: string, readonly spec: HostSpec, parent: MoRef, vms: () => MoRef[], datastores: () => MoRef[]) {
    super(engine, 'HostSystem', value, () => spec.name, () => parent);
    const product = data('AboutInfo', {
      name: 'VMware ESXi',
      fullName: 'VMware ESXi 8.0.2 build-22380479',
      vendor: 'VMware, Inc.',
      version: '8.0.2',
      build: '22380479',
      osType: 'vmnix-x86',
      productLineId: 'embeddedEsx',
      apiType: 'HostAgent',
      apiVersion: '8.0.2.0',
    });
    const runtime = () =>
      data('HostRuntimeInfo', { connectionState: 'connected', powerState: 'poweredOn', inMaintenanceMode: false, bootTime: new Date(0) });
    this.expose({
      vm: vms,
      datastore: datastores,
      network: () => [],
      runtime,
      config: () => data('HostConfigInfo', { host: this.ref, product }),
      summary: () =>
        data('HostListSummary', {
          host: this.ref,
          runtime: runtime(),
          config: data('HostConfigSummary', { name: spec.name, port: 443, sslThumbprint: engine.options.thumbprintOf(spec.component), product, vmotionEnabled: true, faultToleranceEnabled: false }),
          quickStats: data('HostListSummaryQuickStats', { overallCpuUsage: 1200, overallMemoryUsage: 16384, uptime: 86400 }),
          overallStatus: 'green',
          managementServerIp: engine.flavor === 'esxi' ? undefined : undefined,
        }),
    });
  }
}
