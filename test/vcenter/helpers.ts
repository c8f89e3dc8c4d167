import { afterAll, beforeAll } from 'vitest';
import { startLab, type Lab } from '../../simulators/lab.ts';
import { ProxyNet } from '../../proxy/net/proxy-net.ts';
import { HttpsClient } from '../../proxy/net/https-client.ts';
import { VsphereClient } from '../../proxy/clients/vsphere/index.ts';

export interface VcLab {
  lab: Lab;
  http: HttpsClient;
  connect(host?: string): Promise<VsphereClient>;
  login(host?: string): Promise<VsphereClient>;
  stop(): Promise<void>;
}

/** A lab with vCenter, the hosts and the guest runtimes (no cloud, no NTP), and a proxy-side client. */
export async function vcLab(): Promise<VcLab> {
  const lab = await startLab({ without: ['cloud', 'ntp', 'guests'] });
  const http = new HttpsClient(new ProxyNet({ endpoints: lab.endpoints(), caPem: lab.ca.cert, localAddress: lab.addressOf('proxy') }));
  const connect = (host = 'vcenter.lab.test') => VsphereClient.connect(http, host);
  return {
    lab,
    http,
    connect,
    async login(host = 'vcenter.lab.test') {
      const c = await connect(host);
      const creds = host === 'vcenter.lab.test' ? lab.credentials.vcenter! : lab.credentials.esxi!;
      await c.login(creds.user, creds.password);
      return c;
    },
    async stop() {
      http.close();
      await lab.stop();
    },
  };
}

export const SOAP_OPEN = '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body>';
export const SOAP_CLOSE = '</soapenv:Body></soapenv:Envelope>';

/** One lab for a test file: started before its tests, stopped after them; call the result to reach it. */
export function sharedVcLab(): () => VcLab {
  let env: VcLab | undefined;
  beforeAll(async () => {
    env = await vcLab();
  });
  afterAll(async () => {
    await env?.stop();
  });
  return () => env!;
}
