import type { ComponentContext } from '../core/component.ts';
import type { LabWorld } from '../world.ts';
import { vsphereOf } from './state.ts';

/** The SHA-1 thumbprint of a host's certificate: each ESXi component publishes its own at start. */
export function thumbprintFinder(ctx: ComponentContext<LabWorld>): (component: string) => string | undefined {
  return (component) => (component === ctx.name ? ctx.cert.sha1 : vsphereOf(ctx.world).hostCerts.get(component)?.sha1);
}
