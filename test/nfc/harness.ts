import { CoreLab } from '../../simulators/core/lab.ts';
import { buildInventory } from '../../simulators/inventory/index.ts';
import { createDiskStore, type SimDiskStore } from '../../simulators/disk/index.ts';
import { NfcTicketStore } from '../../simulators/esxi/tickets.ts';
import { startNfcServer } from '../../simulators/esxi/nfc/index.ts';
import { mergeCredentials } from '../../simulators/credentials.ts';
import type { LabWorld } from '../../simulators/world.ts';
import type { VmSpec } from '../../simulators/inventory/types.ts';
import { ProxyNet } from '../../proxy/net/proxy-net.ts';

export interface NfcLab {
  lab: CoreLab<LabWorld>;
  world: LabWorld;
  disks: SimDiskStore;
  tickets: NfcTicketStore;
  net: ProxyNet;
  host: string;
  sha1: string;
  vm(name: string): VmSpec;
  /** A ticket for the host, as vCenter's NfcRandomAccessOpenDisk / NfcGetVmFiles would issue it. */
  ticket(vm: VmSpec, files: string[], mode?: 'read' | 'readwrite', host?: string): ReturnType<NfcTicketStore['issue']>;
}

/** One ESXi-like component serving 902 over the default inventory; tickets issued straight from the store. */
export async function startNfcLab(opts: { seed?: string; ports?: 'offset' } = {}): Promise<NfcLab> {
  const seed = opts.seed ?? 'nfc-test';
  const lab = await CoreLab.create<LabWorld>({ seed, options: {} } as LabWorld, { credentials: mergeCredentials() });
  const world = lab.world;
  world.inventory = buildInventory({ seed, domain: 'lab.test' }, (n) => lab.addressOf(n));
  const disks = createDiskStore(world.inventory);
  world.disks = disks;
  world.nfcTickets = new NfcTicketStore();
  const host = world.inventory.hosts[0]!;
  await lab.start([{ name: host.component, kind: 'esxi', hostname: host.name, start: async (ctx) => void (await startNfcServer(ctx)) }]);
  const net = new ProxyNet({ endpoints: lab.endpoints(), caPem: lab.ca.cert, localAddress: lab.addressOf('proxy') });
  const sha1 = lab.component(host.component)!.cert.sha1;
  return {
    lab,
    world,
    disks,
    tickets: world.nfcTickets,
    net,
    host: host.name,
    sha1,
    vm: (name) => world.inventory.vms.find((v) => v.name === name)!,
    ticket: (vm, files, mode = 'read', h = host.name) =>
      world.nfcTickets.issue({ host: h, sslThumbprint: sha1, mode, vm: vm.moid, files }),
  };
}
