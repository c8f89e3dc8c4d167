import { data, type MoRef } from '../../core/codecs/vim25/index.ts';
import type { HostHardware } from '../../inventory/host-hardware.ts';
import type { HostSpec } from '../../inventory/types.ts';
import type { SoapEngine } from '../engine.ts';
import { ManagedObject, type Getter } from '../managed-object.ts';
import type { Args } from '../soap/args.ts';
import { Faults } from '../soap/faults.ts';
import { dateTimeInfo, dnsConfig, firewallInfo, networkInfo, serviceInfo, storageDeviceInfo, virtualNicManagerInfo } from './host-config.ts';

/** A host configuration object (configManager.*): read-only views of the host's seeded configuration. */
class HostConfigObject extends ManagedObject {
  constructor(engine: SoapEngine, type: string, id: string, getters: Record<string, Getter>) {
    super(engine, type, id);
    this.expose(getters);
  }
}

export class HostDateTimeSystem extends HostConfigObject {
  constructor(engine: SoapEngine, id: string) {
    super(engine, 'HostDateTimeSystem', id, { dateTimeInfo });
  }

  QueryDateTime(): Date {
    return new Date();
  }
}

export class HostServiceSystem extends HostConfigObject {
  private readonly running = new Map<string, boolean>();

  constructor(engine: SoapEngine, id: string) {
    super(engine, 'HostServiceSystem', id, {});
    this.expose({
      serviceInfo: () => {
        const info = serviceInfo();
        for (const s of info.service as Record<string, unknown>[]) if (this.running.has(s.key as string)) s.running = this.running.get(s.key as string);
        return info;
      },
    });
  }

  private set(args: Args, on: boolean): void {
    const id = args.str('id');
    if (!(serviceInfo().service as { key: string }[]).some((s) => s.key === id)) throw Faults.notFoundGeneric(`The service ${id} was not found.`);
    this.running.set(id, on);
    this.engine.changed();
  }

  StartService(args: Args): void {
    this.set(args, true);
  }

  StopService(args: Args): void {
    this.set(args, false);
  }
}

/** The objects HostSystem.configManager points at (in HostConfigManager's WSDL order); each registered on the engine. */
export function registerHostManagers(engine: SoapEngine, hostValue: string, host: HostSpec, hw: HostHardware, datastores: () => MoRef[], advanced: ManagedObject): Record<string, MoRef> {
  const esx = engine.flavor === 'esxi';
  const n = hostValue.replace(/^host-/, '');
  const id = (vc: string, ha: string) => (esx ? ha : `${vc}-${n}`);
  const reg = (o: ManagedObject) => engine.register(o).ref;
  return {
    datastoreSystem: reg(new HostConfigObject(engine, 'HostDatastoreSystem', id('datastoreSystem', 'ha-datastoresystem'), {
      datastore: datastores,
      capabilities: () => data('HostDatastoreSystemCapabilities', { nfsMountCreationRequired: true, nfsMountCreationSupported: true, localDatastoreSupported: false, vmfsExtentExpansionSupported: true }),
    })),
    storageSystem: reg(new HostConfigObject(engine, 'HostStorageSystem', id('storageSystem', 'storageSystem'), { storageDeviceInfo: () => storageDeviceInfo(hw) })),
    networkSystem: reg(new HostConfigObject(engine, 'HostNetworkSystem', id('networkSystem', 'networkSystem'), {
      networkInfo: () => networkInfo(host, hw),
      dnsConfig: () => dnsConfig(host),
      ipRouteConfig: () => data('HostIpRouteConfig', { defaultGateway: '127.0.0.1', gatewayDevice: 'vmk0' }),
    })),
    virtualNicManager: reg(new HostConfigObject(engine, 'HostVirtualNicManager', id('virtualNicManager', 'ha-vnic-mgr'), { info: () => virtualNicManagerInfo(hw) })),
    serviceSystem: reg(new HostServiceSystem(engine, id('serviceSystem', 'serviceSystem'))),
    firewallSystem: reg(new HostConfigObject(engine, 'HostFirewallSystem', id('firewallSystem', 'firewallSystem'), { firewallInfo })),
    advancedOption: advanced.ref,
    dateTimeSystem: reg(new HostDateTimeSystem(engine, id('dateTimeSystem', 'dateTimeSystem'))),
  };
}
