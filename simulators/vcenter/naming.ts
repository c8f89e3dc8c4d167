import type { Flavor } from './engine.ts';

/**
 * How one endpoint names the shared world's objects: vCenter uses the inventory moids (vm-101,
 * snapshot-3); a host agent uses hostd's names (VM "101", "ha-host", snapshot "101-snapshot-3").
 */
export interface Naming {
  vm(moid: string): string;
  vmFromId(id: string): string | undefined;
  host(moid: string): string;
  snapshot(vmMoid: string, id: number): string;
  /** Snapshot id from a reference value; the vm is resolved by the caller. */
  snapshotFromId(id: string): number | undefined;
}

export function namingFor(flavor: Flavor, ownHost?: string): Naming {
  if (flavor === 'vcenter') {
    return {
      vm: (moid) => moid,
      vmFromId: (id) => (/^vm-\d+$/.test(id) ? id : undefined),
      host: (moid) => moid,
      snapshot: (_vm, id) => `snapshot-${id}`,
      snapshotFromId: (id) => (/^snapshot-\d+$/.test(id) ? Number(id.slice(9)) : undefined),
    };
  }
  return {
    vm: (moid) => moid.replace(/^vm-/, ''),
    vmFromId: (id) => (/^\d+$/.test(id) ? `vm-${id}` : undefined),
    host: (moid) => (moid === ownHost ? 'ha-host' : moid),
    snapshot: (vm, id) => `${vm.replace(/^vm-/, '')}-snapshot-${id}`,
    snapshotFromId: (id) => {
      const m = /^\d+-snapshot-(\d+)$/.exec(id);
      return m ? Number(m[1]) : undefined;
    },
  };
}
