import type { CoreLab } from '../../simulators/core/lab.ts';
import type { Credentials, Endpoint } from '../../simulators/core/types.ts';
import { table } from './table.ts';

/** What `bpsim up --json` prints: everything a script in any language needs to use the lab. */
export interface LabSummary {
  caFile: string;
  /** The address the lab reserves for a proxy's connections (so its servers can name it in the trace). */
  proxyAddress: string;
  addressBlock: string;
  portMode: string;
  singleHost: boolean;
  credentials: Record<string, Credentials>;
  endpoints: (Pick<Endpoint, 'component' | 'hostname' | 'address' | 'port' | 'protocol' | 'realPort' | 'transport' | 'listener'> & {
    url?: string;
    urlByAddress?: string;
    sha1?: string;
    sha256?: string;
    bindAddress: string;
  })[];
  admin?: { url: string; web?: string };
}

export function labSummary(lab: CoreLab<unknown>, extra: { admin?: { url: string; web?: string } } = {}): LabSummary {
  return {
    caFile: lab.ca.certFile ?? lab.caFile,
    proxyAddress: lab.addressOf('proxy'),
    addressBlock: lab.addresses.block,
    portMode: lab.options.singleHost ? 'single-host' : lab.portMode,
    singleHost: !!lab.options.singleHost,
    credentials: lab.credentials,
    endpoints: lab.endpoints().map((e) => ({
      component: e.component,
      hostname: e.hostname,
      address: e.address,
      bindAddress: e.bindAddress,
      port: e.port,
      realPort: e.realPort,
      transport: e.transport,
      listener: e.listener,
      protocol: e.protocol,
      url: e.url,
      urlByAddress: e.urlByAddress,
      sha1: e.sha1,
      sha256: e.sha256,
    })),
    ...extra,
  };
}

export function endpointTable(summary: LabSummary): string {
  return table(
    ['component', 'hostname', 'address', 'port', 'protocol', 'SHA-1 thumbprint'],
    summary.endpoints.map((e) => [e.component, e.hostname, e.bindAddress, `${e.port}/${e.transport}`, e.protocol, e.sha1]),
  );
}

export function credentialTable(summary: LabSummary): string {
  return table(
    ['for', 'user', 'password'],
    Object.entries(summary.credentials).map(([k, c]) => [k, c.user, c.password]),
  );
}
