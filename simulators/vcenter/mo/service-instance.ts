import { data, MoRef, type DataObject } from '../../core/codecs/vim25/index.ts';
import type { SoapEngine } from '../engine.ts';
import { ManagedObject } from '../managed-object.ts';

/** The entry point: RetrieveServiceContent (and VDDK's RetrieveInternalContent for the NFC service). */
export class ServiceInstance extends ManagedObject {
  constructor(
    engine: SoapEngine,
    private readonly content: DataObject,
    private readonly nfcService: MoRef,
  ) {
    super(engine, 'ServiceInstance', 'ServiceInstance');
    this.expose({
      content: () => content,
      serverClock: () => new Date(),
      capability: () => data('Capability', { provisioningSupported: true, multiHostSupported: engine.flavor === 'vcenter', userShellAccessSupported: false }),
    });
  }

  RetrieveServiceContent(): DataObject {
    return this.content;
  }

  CurrentTime(): Date {
    return new Date();
  }

  RetrieveInternalContent(): DataObject {
    return data('InternalServiceInstanceContent', { nfcService: this.nfcService });
  }
}

export function aboutInfo(engine: SoapEngine): DataObject {
  const vc = engine.flavor === 'vcenter';
  return data('AboutInfo', {
    name: vc ? 'VMware vCenter Server' : 'VMware ESXi',
    fullName: vc ? 'VMware vCenter Server 8.0.2 build-22617221' : 'VMware ESXi 8.0.2 build-22380479',
    vendor: 'VMware, Inc.',
    version: '8.0.2',
    build: vc ? '22617221' : '22380479',
    localeVersion: 'INTL',
    localeBuild: '000',
    osType: vc ? 'linux-x64' : 'vmnix-x86',
    productLineId: vc ? 'vpx' : 'embeddedEsx',
    apiType: vc ? 'VirtualCenter' : 'HostAgent',
    apiVersion: '8.0.2.0',
    instanceUuid: vc ? 'b1e9c5b4-6b1c-4e8b-9a57-5b1c0b5e0c01' : undefined,
    licenseProductName: vc ? 'VMware VirtualCenter Server' : 'VMware ESX Server',
    licenseProductVersion: '8.0',
  });
}

export { MoRef };
