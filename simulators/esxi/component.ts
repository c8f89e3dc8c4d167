import type { ComponentSpec } from '../core/component.ts';
import type { HostSpec } from '../inventory/types.ts';
import type { LabWorld } from '../world.ts';
import { startHostAgent } from './hostagent/index.ts';
import { startNfcServer } from './nfc/index.ts';

/** One ESXi host: host-agent SOAP and /guestFile on 443, authd + NFC on 902. */
export function esxiComponent(host: HostSpec): ComponentSpec<LabWorld> {
  return {
    name: host.component,
    kind: 'esxi',
    hostname: host.name,
    async start(ctx) {
      const engine = await startHostAgent(ctx, host);
      await startNfcServer(ctx);
      return { stop: async () => engine.stop() };
    },
  };
}
