import { startLab, type Lab } from '../../simulators/lab.ts';
import { ProxyNet } from '../../proxy/net/proxy-net.ts';
import { GuestossvcClient } from '../../proxy/clients/guest/guestossvc-client.ts';
import { buildInjectionBundle, osOfGuestFamily, type InjectionBundle } from '../../proxy/clients/guest/bundle.ts';

export interface GuestLab {
  lab: Lab;
  net: ProxyNet;
}

/** A lab with the guests only (the other rooms' components are left out to keep tests light). */
export async function startGuestLab(): Promise<GuestLab> {
  const lab = await startLab({ without: ['ntp', 'cloud', 'cloudcache', 'vcenter', 'esxi'] });
  const net = new ProxyNet({ endpoints: lab.endpoints(), caPem: lab.ca.cert, localAddress: lab.addressOf('proxy') });
  return { lab, net };
}

/** What the proxy's injection does through guest operations, done directly on the guest runtime. */
export async function inject(lab: Lab, vm: string, bundle?: InjectionBundle): Promise<{ bundle: InjectionBundle; pid: number }> {
  const spec = lab.world.inventory.vms.find((v) => v.name === vm)!;
  const b = bundle ?? buildInjectionBundle(osOfGuestFamily(spec.guestFamily));
  const guest = lab.world.guests.get(vm)!;
  const user = spec.guestFamily === 'windowsGuest' ? 'Administrator' : 'root';
  for (const f of b.files) guest.putFile(f.path, f.data, true);
  const pid = await guest.startProgram(b.program, b.args, user);
  return { bundle: b, pid };
}

/** Endpoints change when services start: a fresh ProxyNet sees them. */
export function client(lab: Lab, vm: string, token: string): GuestossvcClient {
  const net = new ProxyNet({ endpoints: lab.endpoints(), caPem: lab.ca.cert, localAddress: lab.addressOf('proxy') });
  const ip = lab.world.inventory.vms.find((v) => v.name === vm)!.ip;
  return new GuestossvcClient(net, ip, token);
}
