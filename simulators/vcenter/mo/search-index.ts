import type { MoRef } from '../../core/codecs/vim25/index.ts';
import type { CallContext, SoapEngine } from '../engine.ts';
import { ManagedObject } from '../managed-object.ts';
import type { Args } from '../soap/args.ts';
import type { VmState } from '../state.ts';

/** SearchIndex: finding VMs (and hosts) by uuid, inventory path, IP or DNS name. */
export class SearchIndex extends ManagedObject {
  constructor(engine: SoapEngine, id: string) {
    super(engine, 'SearchIndex', id);
  }

  private vms(): VmState[] {
    return this.engine.layout.vms();
  }

  private hostMatch(pred: (h: { name: string; address: string; moid: string }) => boolean): MoRef | undefined {
    const h = this.engine.world.inventory.hosts.find(pred);
    const ref = h && this.engine.layout.hostRef(h.moid);
    return ref && this.engine.lookup(ref) ? ref : undefined;
  }

  private vmRefs(pred: (v: VmState) => boolean): MoRef[] {
    return this.vms().filter(pred).map((v) => this.engine.layout.vmRef(v.spec.moid));
  }

  FindByUuid(args: Args, _call: CallContext): MoRef | undefined {
    return this.FindAllByUuid(args)[0];
  }

  FindAllByUuid(args: Args): MoRef[] {
    const uuid = args.str('uuid').toLowerCase();
    const vmSearch = args.bool('vmSearch');
    const instance = args.bool('instanceUuid', false);
    if (!vmSearch) return [];
    return this.vmRefs((v) => (instance ? v.spec.instanceUuid : v.spec.uuid).toLowerCase() === uuid);
  }

  FindByIp(args: Args): MoRef | undefined {
    const ip = args.str('ip');
    if (!args.bool('vmSearch')) return this.hostMatch((h) => h.address === ip);
    return this.vmRefs((v) => v.spec.powerState === 'poweredOn' && v.spec.toolsRunning && v.spec.ip === ip)[0];
  }

  FindByDnsName(args: Args): MoRef | undefined {
    const name = args.str('dnsName').toLowerCase();
    if (!args.bool('vmSearch')) return this.hostMatch((h) => h.name.toLowerCase() === name);
    return this.vmRefs((v) => v.spec.powerState === 'poweredOn' && v.spec.toolsRunning && v.spec.hostname.toLowerCase() === name)[0];
  }

  /** "Lab-DC/vm/sql01" (vCenter) or "ha-datacenter/vm/sql01" (host agent). */
  FindByInventoryPath(args: Args): MoRef | undefined {
    const parts = args.str('inventoryPath').split('/').filter(Boolean);
    const layout = this.engine.layout;
    const dcName = this.engine.flavor === 'vcenter' ? this.engine.world.inventory.datacenter.name : 'ha-datacenter';
    if (parts[0] !== dcName) return undefined;
    if (parts.length === 1) return layout.datacenter;
    if (parts[1] === 'vm') {
      if (parts.length === 2) return layout.vmFolder;
      return parts.length === 3 ? this.vmRefs((v) => v.spec.name === parts[2])[0] : undefined;
    }
    if (parts[1] === 'host' && parts.length >= 3) {
      return this.hostMatch((h) => h.name === parts[parts.length - 1]);
    }
    return undefined;
  }

  FindChild(args: Args): MoRef | undefined {
    const parent = this.engine.require(args.ref('entity'));
    const name = args.str('name');
    for (const ref of parent.children()) {
      const mo = this.engine.lookup(ref);
      if (mo && mo.hasProperty('name') && mo.property('name', { engine: this.engine, method: 'FindChild', peerAddress: '', userAgent: '' }) === name) return ref;
    }
    return undefined;
  }
}
