import type { ComponentSpec } from '../core/component.ts';
import type { LabWorld } from '../world.ts';
import { SoapEngine } from './engine.ts';
import { buildModel } from './model.ts';
import { soapHandler } from './http.ts';
import { thumbprintFinder } from './thumbprints.ts';

export const VCENTER_HOSTNAME = 'vcenter.lab.test';

/** vCenter: the vim25 SOAP engine on 443 /sdk with a VirtualCenter service content. */
export function vcenterComponent(hostname = VCENTER_HOSTNAME): ComponentSpec<LabWorld> {
  return {
    name: 'vcenter',
    kind: 'vcenter',
    hostname,
    async start(ctx) {
      const login = ctx.credentials.vcenter;
      if (!login) throw new Error('vcenter: no "vcenter" credentials in the lab');
      const engine = new SoapEngine({
        flavor: 'vcenter',
        component: ctx.name,
        hostname,
        faults: ctx.faults,
        login,
        credentials: ctx.credentials,
        world: ctx.world,
        thumbprintOf: thumbprintFinder(ctx),
      });
      buildModel(engine);
      await ctx.listenHttps({ listener: 'https', realPort: 443, protocol: 'soap', scheme: 'https', path: '/sdk' }, soapHandler(engine), { traceRequests: false });
      return { stop: async () => engine.stop() };
    },
  };
}
