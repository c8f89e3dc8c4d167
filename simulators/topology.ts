import { randomUUID } from 'node:crypto';
import type { ComponentSpec } from './core/component.ts';
import type { CoreLab } from './core/lab.ts';
import type { LabWorld } from './world.ts';
import type { LabOptions } from './lab-options.ts';
import { buildInventory } from './inventory/index.ts';
import { createDiskStore } from './disk/index.ts';
import { NfcTicketStore } from './esxi/tickets.ts';
import { ntpComponent } from './ntp/component.ts';
import { cloudComponent } from './cloud/component.ts';
import { cloudCacheComponent } from './cloudcache/component.ts';
import { guestSetup } from './guest/runtimes.ts';
import { vcenterComponent } from './vcenter/component.ts';
import { esxiComponent } from './esxi/component.ts';

export const LAB_DOMAIN = 'lab.test';

/**
 * The components of a lab, in start order, and the world parts they share. Each room adds its
 * entry here (one import, one block) and nothing else.
 */
export async function labComponents(lab: CoreLab<LabWorld>, options: LabOptions): Promise<ComponentSpec<LabWorld>[]> {
  const without = new Set(options.without ?? []);
  const specs: ComponentSpec<LabWorld>[] = [];
  // The simulated proxy listens nowhere, but owns an address so servers can name it in the trace.
  lab.addressOf('proxy');
  lab.world.addressOf = (name) => lab.addressOf(name);
  lab.world.inventory = buildInventory(
    { seed: lab.world.seed, vms: options.vms, hosts: options.hosts, extraVms: options.extraVms, domain: LAB_DOMAIN },
    (name) => lab.addressOf(name),
  );
  // --host-names ip: ESXi hosts are registered in vCenter by address, so HostSystem names, NFC ticket
  // hosts and guest-file URLs (all made from host.name) work without name resolution.
  if (options.hostNames === 'ip') for (const host of lab.world.inventory.hosts) host.name = lab.addressOf(host.component);
  // A new CBT identity per start: the disks are rebuilt from their seeds (docs/disk.md, "Lab restarts").
  lab.world.disks = createDiskStore(lab.world.inventory, randomUUID());
  lab.world.nfcTickets ??= new NfcTicketStore();
  // vCenter and one ESXi host agent per inventory host (SOAP 443, /guestFile; 902 from the disk room).
  if (!without.has('vcenter')) specs.push(vcenterComponent());
  if (!without.has('esxi')) for (const host of lab.world.inventory.hosts) specs.push(esxiComponent(host));
  if (!without.has('ntp')) specs.push(ntpComponent<LabWorld>(options.ntp));
  if (!without.has('cloud')) {
    specs.push(cloudComponent());
    if (!without.has('cloudcache')) specs.push(cloudCacheComponent(options.cloudcache));
  }
  // Guests last: one component per powered-on VM (world.guests, world.sql are set even with 'guests' left out).
  const guests = guestSetup(lab);
  if (!without.has('guests')) specs.push(...guests);
  void without;
  return specs;
}
