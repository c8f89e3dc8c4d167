import { afterAll, afterEach, beforeAll } from 'vitest';
import { startLab, type Lab } from '../../simulators/lab.ts';
import { ProxyNet } from '../../proxy/net/proxy-net.ts';
import { HttpsClient } from '../../proxy/net/https-client.ts';
import { VsphereClient } from '../../proxy/clients/vsphere/index.ts';
import type { VmSpec } from '../../simulators/inventory/types.ts';

export interface VcLab {
  lab: Lab;
  http: HttpsClient;
  connect(host?: string): Promise<VsphereClient>;
  login(host?: string): Promise<VsphereClient>;
  /** The inventory VM of that name. */
  vm(name: string): VmSpec;
  /** The guest OS account of a VM (the lab's Windows or Linux guest credentials). */
  guestCredentials(name: string): { user: string; password: string };
  stop(): Promise<void>;
}

/** A lab with vCenter, the hosts and the guest runtimes (no cloud, no NTP), and a proxy-side client. */
export async function vcLab(): Promise<VcLab> {
  const lab = await startLab({ without: ['cloud', 'ntp', 'guests'] });
  const http = new HttpsClient(new ProxyNet({ endpoints: lab.endpoints(), caPem: lab.ca.cert, localAddress: lab.addressOf('proxy') }));
  const connect = (host = 'vcenter.lab.test') => VsphereClient.connect(http, host);
  const vm = (name: string) => lab.world.inventory.vms.find((v) => v.name === name)!;
  return {
    vm,
    guestCredentials: (name) => lab.credentials[vm(name).guestFamily === 'windowsGuest' ? 'guest-windows' : 'guest-linux']!,
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

/** A file's lab and logged-in client: started before its tests, stopped after them, faults cleared after each test. */
export function useVcLab(): { env: VcLab; vc: VsphereClient } {
  const t = {} as { env: VcLab; vc: VsphereClient };
  beforeAll(async () => {
    t.env = await vcLab();
    t.vc = await t.env.login();
  });
  afterAll(async () => {
    await t.env?.stop();
  });
  afterEach(() => t.env?.lab.faults.clear());
  return t;
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
