import type { ComponentSpec } from '../core/component.ts';
import type { CoreLab } from '../core/lab.ts';
import type { LabWorld } from '../world.ts';
import type { VmSpec } from '../inventory/types.ts';
import { PLUGIN_PORT } from '../core/codecs/guest-api.ts';
import type { GuestRuntimes } from './contract.ts';
import { SqlServerModel } from './sql/server.ts';
import { LabGuestRuntime } from './runtime/guest.ts';

/** What scenarios and tests use to drive the SQL Servers in the guests. */
export interface SqlWorld {
  /** The SQL Server of a VM (by name or moid), or undefined when it runs none. */
  server(vm: string): SqlServerModel | undefined;
}

declare module '../world.ts' {
  interface LabWorld {
    sql: SqlWorld;
  }
}

/**
 * Every guest of a lab. Components exist for powered-on VMs (so their RDP/SSH probes answer like a
 * real network); files, processes, VSS writers and SQL Server models are built only when first used,
 * which keeps a 1000-VM lab to one certificate and one probe listener per running VM.
 */
export class LabGuests implements GuestRuntimes, SqlWorld {
  private readonly runtimes = new Map<string, LabGuestRuntime>();
  private readonly servers = new Map<string, SqlServerModel | null>();

  constructor(private readonly lab: CoreLab<LabWorld>) {
    lab.faults.onChange((f, action) => {
      if (action !== 'set' || f.type !== 'guestossvc-down') return;
      for (const [vm, rt] of this.runtimes) if (f.target === '*' || f.target === `guest-${vm}`) void rt.crashService();
    });
  }

  /** Position in inventory.vms by name and moid: a scan per lookup made starting 10,000 guests quadratic. */
  private index = new Map<string, number>();

  private spec(vm: string): VmSpec | undefined {
    const vms = this.lab.world.inventory.vms;
    const at = (i: number | undefined) => (i === undefined ? undefined : vms[i]);
    const hit = at(this.index.get(vm));
    if (hit && (hit.name === vm || hit.moid === vm)) return hit;
    // Missing or moved (VMs created, destroyed, renamed): rebuild; the first VM of a name wins, as a scan would.
    this.index = new Map();
    for (let i = vms.length - 1; i >= 0; i--) {
      this.index.set(vms[i]!.moid, i);
      this.index.set(vms[i]!.name, i);
    }
    const found = at(this.index.get(vm));
    return found && (found.name === vm || found.moid === vm) ? found : undefined;
  }

  get(vm: string): LabGuestRuntime | undefined {
    const spec = this.spec(vm);
    if (!spec) return undefined;
    let rt = this.runtimes.get(spec.name);
    if (!rt) {
      const name = spec.name;
      const component = `guest-${name}`;
      rt = new LabGuestRuntime(name, {
        spec: () => this.spec(name)!,
        fault: (type, consume = true) => (consume ? this.lab.faults.take(component, type) : this.lab.faults.peek(component, type)),
        sql: () => this.server(name),
        pluginAddress: () =>
          this.lab.options.singleHost ? { address: '127.0.0.1', port: 0, singleHost: true } : { address: this.lab.addressOf(`${component}/loopback`), port: PLUGIN_PORT, singleHost: false },
        addComponent: async () => {
          if (!this.lab.component(component)) await this.lab.add(guestComponent(this, this.spec(name)!));
        },
      });
      this.runtimes.set(name, rt);
    }
    return rt;
  }

  server(vm: string): SqlServerModel | undefined {
    const spec = this.spec(vm);
    if (!spec?.sqlServer) return undefined;
    let s = this.servers.get(spec.name);
    if (s === undefined) {
      s = new SqlServerModel(spec.name, spec.hostname, spec.sqlServer, this.lab.world.seed);
      this.servers.set(spec.name, s);
    }
    return s ?? undefined;
  }

  async powerChanged(vm: string, on: boolean): Promise<void> {
    await this.get(vm)?.power(on);
  }

  /** Components for the VMs that are powered on when the lab starts. */
  components(): ComponentSpec<LabWorld>[] {
    return this.lab.world.inventory.vms.filter((v) => v.powerState === 'poweredOn').map((v) => guestComponent(this, v));
  }
}

export function guestComponent(guests: LabGuests, vm: VmSpec): ComponentSpec<LabWorld> {
  return {
    name: `guest-${vm.name}`,
    kind: 'guest',
    hostname: vm.hostname,
    start: async (ctx) => {
      const rt = guests.get(vm.name)!;
      await rt.attach(ctx as never);
      return { stop: () => rt.detach() };
    },
  };
}

/** Sets world.guests and world.sql and returns the guest components (topology calls this). */
export function guestSetup(lab: CoreLab<LabWorld>): ComponentSpec<LabWorld>[] {
  const guests = new LabGuests(lab);
  lab.world.guests = guests;
  lab.world.sql = guests;
  return guests.components();
}
