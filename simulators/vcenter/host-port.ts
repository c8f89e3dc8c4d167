import type { SoapEngine } from './engine.ts';
import { vsphereOf } from './state.ts';

/**
 * The port of an ESXi host agent's HTTPS listener, for the URLs vCenter hands out (guest-file
 * transfers, NFC lease disks): 443 with real ports, where the listener really is otherwise. An ESXi
 * engine asked about itself (no host component given) answers its own port.
 */
export function hostHttpsPort(engine: SoapEngine, hostComponent?: string): number {
  const component = engine.flavor === 'esxi' ? engine.options.component : hostComponent;
  return (component && vsphereOf(engine.world).hostHttpsPorts.get(component)) || 443;
}

/** `:port` unless it is 443, which a URL leaves out. */
export function portSuffix(port: number): string {
  return port === 443 ? '' : `:${port}`;
}
