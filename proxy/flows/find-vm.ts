import type { MoRef } from '../../simulators/core/codecs/vim25/index.ts';
import type { VsphereClient } from '../clients/vsphere/index.ts';
import { ProxyError } from '../errors.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A VM by instance UUID (SearchIndex.FindByUuid, what backup products store) or by name. vSphere
 * also allows a UUID-shaped name, so a UUID no VM has is then tried as a name; anything else is
 * looked up by name alone (no FindByUuid round trip).
 */
export async function findVm(vs: VsphereClient, vm: string): Promise<MoRef> {
  const found = (UUID.test(vm) ? await vs.findVmByUuid(vm, true) : undefined) ?? (await vs.findVmByName(vm));
  if (!found) throw new ProxyError('not-found', `no VM "${vm}" in the inventory`);
  return found;
}
