import { randomInt } from 'node:crypto';

/** Random blocks start their third octet below this: room for 14,000 addresses ((256 - 200) x 250). */
export const RANDOM_THIRD_BELOW = 200;

/**
 * Hands out loopback addresses for one lab. Linux answers on all of 127.0.0.0/8 with no set-up, so
 * each component gets its own address and can use its real port. A lab uses 127.B.C.1 upwards,
 * spilling into the next /24 when it has more than 250 hosts.
 */
export class AddressAllocator {
  private next = 1;
  private readonly byName = new Map<string, string>();
  /** The first name given each address: nameOf runs per connection, and a 10,000-VM lab has as many names. */
  private readonly byAddress = new Map<string, string>();

  constructor(readonly base: [number, number]) {}

  /**
   * A random block, so that labs started in parallel (test files) do not collide. The third octet
   * starts below 200: a block grows into the next third octets 250 addresses at a time, and a
   * 10,000-VM, 100-host lab needs 41 of them; from a start near 255 it ran out ("is full").
   */
  static random(): AddressAllocator {
    return new AddressAllocator([randomInt(16, 250), randomInt(0, RANDOM_THIRD_BELOW)]);
  }

  static parse(block: string): AddressAllocator {
    const m = /^127\.(\d{1,3})\.(\d{1,3})(?:\.0)?$/.exec(block.trim());
    if (!m || Number(m[1]) > 255 || Number(m[2]) > 255) {
      throw new Error(`address block must look like 127.B.C (loopback), got "${block}"`);
    }
    return new AddressAllocator([Number(m[1]), Number(m[2])]);
  }

  /** The same name always gets the same address within one lab. */
  allocate(name: string): string {
    const known = this.byName.get(name);
    if (known) return known;
    const n = this.next++;
    const third = this.base[1] + Math.floor((n - 1) / 250);
    const fourth = ((n - 1) % 250) + 1;
    if (third > 255) throw new Error(`address block 127.${this.base[0]}.${this.base[1]} is full`);
    const address = `127.${this.base[0]}.${third}.${fourth}`;
    this.bind(name, address);
    return address;
  }

  /** Pins a name to a given address (a deployment's network plan: any IPv4, not only loopback). */
  assign(name: string, address: string): void {
    const old = this.byName.get(name);
    this.bind(name, address);
    if (old !== undefined && old !== address && this.byAddress.get(old) === name) {
      this.byAddress.delete(old);
      // Another name may share the address it left (a plan may give two names one host).
      for (const [n, a] of this.byName) if (a === old && !this.byAddress.has(old)) this.byAddress.set(old, n);
    }
  }

  private bind(name: string, address: string): void {
    this.byName.set(name, address);
    if (!this.byAddress.has(address)) this.byAddress.set(address, name);
  }

  nameOf(address: string): string | undefined {
    return this.byAddress.get(address);
  }

  get block(): string {
    return `127.${this.base[0]}.${this.base[1]}`;
  }
}
