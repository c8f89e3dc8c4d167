import type { ComponentSpec } from '../core/component.ts';
import type { LabWorld } from '../world.ts';
import { SoapEngine } from './engine.ts';
import { buildModel } from './model.ts';
import { soapHandler } from './http.ts';
import { thumbprintFinder } from './thumbprints.ts';
import { MoRef } from '../core/codecs/vim25/index.ts';
import { mswRequestHandler } from '../core/net/msw-adapter.ts';
import { isRestPath, vcenterRestService } from './rest/handlers.ts';
import { MAX_REST_BODY } from './rest/router.ts';

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
      const soap = soapHandler(engine);
      // vSphere Automation REST shares the 443 listener with /sdk (docs/vcenter.md, "REST API").
      const rest = mswRequestHandler(vcenterRestService({
        login,
        exists: (o) => !!engine.lookup(new MoRef(o.type, o.id)),
        refuseLogin: () => !!engine.fault('invalid-login'),
      }).handlers, { maxBodyBytes: MAX_REST_BODY });
      await ctx.listenHttps(
        { listener: 'https', realPort: 443, protocol: 'soap', scheme: 'https', path: '/sdk' },
        (req, res, conn) => (isRestPath(req.url ?? '') ? rest(req, res, conn) : soap(req, res, conn)),
        { traceRequests: false },
      );
      return { stop: async () => engine.stop() };
    },
  };
}
