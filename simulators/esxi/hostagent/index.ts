import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ComponentContext } from '../../core/component.ts';
import type { ConnContext } from '../../core/net/listen.ts';
import type { HostSpec } from '../../inventory/types.ts';
import type { LabWorld } from '../../world.ts';
import { SoapEngine } from '../../vcenter/engine.ts';
import { buildModel } from '../../vcenter/model.ts';
import { soapHandler } from '../../vcenter/http.ts';
import { vsphereOf } from '../../vcenter/state.ts';
import { thumbprintFinder } from '../../vcenter/thumbprints.ts';
import { guestFileHandler } from './guest-file.ts';
import { nfcLeaseFileHandler } from './nfc-lease-file.ts';

/** The host agent on 443: the shared SOAP engine with a HostAgent service content, plus /guestFile. */
export async function startHostAgent(ctx: ComponentContext<LabWorld>, host: HostSpec): Promise<SoapEngine> {
  const login = ctx.credentials.esxi;
  if (!login) throw new Error(`${ctx.name}: no "esxi" credentials in the lab`);
  vsphereOf(ctx.world).hostCerts.set(ctx.name, { sha1: ctx.cert.sha1, sha256: ctx.cert.sha256, pem: ctx.cert.cert });
  const engine = new SoapEngine({
    flavor: 'esxi',
    component: ctx.name,
    hostname: ctx.hostname,
    faults: ctx.faults,
    login,
    credentials: ctx.credentials,
    world: ctx.world,
    thumbprintOf: thumbprintFinder(ctx),
  });
  buildModel(engine, host);
  const soap = soapHandler(engine);
  const guestFile = guestFileHandler(ctx.world, ctx.name);
  const leaseFile = nfcLeaseFileHandler(ctx.world, ctx.name);
  const https = await ctx.listenHttps(
    { listener: 'https', realPort: 443, protocol: 'soap', scheme: 'https', path: '/sdk' },
    (req: IncomingMessage, res: ServerResponse, conn: ConnContext) =>
      (req.url ?? '').startsWith('/guestFile') ? guestFile(req, res, conn) : (req.url ?? '').startsWith('/nfc/') ? leaseFile(req, res, conn) : soap(req, res, conn),
    { traceRequests: false },
  );
  vsphereOf(ctx.world).hostHttpsPorts.set(ctx.name, https.identity.clientPort ?? https.identity.port);
  return engine;
}
