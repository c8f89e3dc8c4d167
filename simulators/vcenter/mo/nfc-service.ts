import { data, type DataObject } from '../../core/codecs/vim25/index.ts';
import { NfcTicketStore } from '../../esxi/tickets.ts';
import type { CallContext, SoapEngine } from '../engine.ts';
import { ManagedObject } from '../managed-object.ts';
import type { Args } from '../soap/args.ts';
import { Faults } from '../soap/faults.ts';
import { vsphereOf, type VmState } from '../state.ts';
import { VirtualMachine } from './virtual-machine.ts';

/**
 * The NFC ticket service VDDK calls (absent from the public WSDL): single-use tickets for the VM's
 * host on 902, carrying that host's SHA-1 thumbprint. The host's authd redeems them.
 */
export class NfcService extends ManagedObject {
  constructor(engine: SoapEngine, id: string) {
    super(engine, 'NfcService', id);
  }

  private vm(args: Args): VmState {
    const mo = this.engine.require(args.ref('vm', 'VirtualMachine'));
    if (!(mo instanceof VirtualMachine)) throw Faults.invalidArgument('vm');
    if (this.engine.fault('ticket-rejected')) {
      throw Faults.noPermission(mo.ref, 'VirtualMachine.Provisioning.DiskRandomAccess');
    }
    return mo.vm;
  }

  private ticket(vm: VmState, mode: 'read' | 'readwrite', files: string[], hostForAccess?: string): DataObject {
    const inv = this.engine.world.inventory;
    const host = inv.hosts.find((h) => h.moid === (hostForAccess ?? vm.spec.host));
    if (!host) throw Faults.invalidArgument('hostForAccess');
    const sslThumbprint = this.engine.options.thumbprintOf(host.component);
    if (!sslThumbprint) throw Faults.internal(`host ${host.name} has no certificate`);
    const store = (this.engine.world.nfcTickets ??= new NfcTicketStore());
    const t = store.issue({ host: host.name, sslThumbprint, mode, vm: vm.spec.moid, files });
    return data('HostServiceTicket', {
      host: t.host,
      port: t.port,
      sslThumbprint: t.sslThumbprint,
      service: t.service,
      serviceVersion: t.serviceVersion,
      sessionId: t.sessionId,
    });
  }

  /** Every file of the VM: live disks and every snapshot's frozen backing. */
  private files(vm: VmState, key?: number): string[] {
    const out = new Set<string>();
    const disks = this.engine.world.disks ? vsphereOf(this.engine.world).disks(vm) : [];
    for (const d of vm.spec.disks) {
      if (key !== undefined && d.key !== key) continue;
      out.add(d.fileName);
      const live = disks.find((x) => x.key === d.key);
      if (live) out.add(live.currentFileName);
      for (const s of vm.snapshots.values()) for (const b of s.disks) if (b.key === d.key) out.add(b.fileName);
    }
    return [...out];
  }

  NfcGetVmFiles(args: Args, _call: CallContext): DataObject {
    const vm = this.vm(args);
    return this.ticket(vm, 'read', this.files(vm));
  }

  NfcRandomAccessOpenReadonly(args: Args): DataObject {
    const vm = this.vm(args);
    const key = args.int('diskDeviceKey');
    if (!vm.spec.disks.some((d) => d.key === key)) throw Faults.invalidArgument('diskDeviceKey');
    return this.ticket(vm, 'read', this.files(vm, key), this.hostArg(args));
  }

  NfcRandomAccessOpenDisk(args: Args): DataObject {
    const vm = this.vm(args);
    const key = args.int('diskDeviceKey');
    if (!vm.spec.disks.some((d) => d.key === key)) throw Faults.invalidArgument('diskDeviceKey');
    return this.ticket(vm, 'readwrite', this.files(vm, key), this.hostArg(args));
  }

  private hostArg(args: Args): string | undefined {
    const ref = args.optRef('hostForAccess', 'HostSystem');
    if (!ref) return undefined;
    this.engine.require(ref);
    const host = this.engine.world.inventory.hosts.find((h) => this.engine.layout.hostRef(h.moid).value === ref.value);
    return host?.moid;
  }
}
