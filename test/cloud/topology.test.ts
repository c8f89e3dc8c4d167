import { expect, test } from 'vitest';
import { startLab } from '../../simulators/lab.ts';
import { ProxyNet } from '../../proxy/net/proxy-net.ts';
import { HttpsClient } from '../../proxy/net/https-client.ts';
import { CloudClient } from '../../proxy/clients/cloud/cloud-client.ts';
import { ACTIVATION } from './lab.ts';

test('startLab serves cloud and cloudcache on 443; without: ["cloudcache"] leaves the cache out', async () => {
  const lab = await startLab({ without: ['cloudcache'] });
  try {
    expect(lab.endpoints().some((e) => e.component === 'cloudcache')).toBe(false);
    const ep = lab.endpoint('cloud', 'https');
    expect([ep.hostname, ep.realPort]).toEqual(['cloud.lab.test', 443]);
    const http = new HttpsClient(new ProxyNet({ endpoints: lab.endpoints(), caPem: lab.ca.cert, localAddress: lab.addressOf('proxy') }));
    try {
      const c = new CloudClient({ http, host: 'cloud.lab.test', retry: { attempts: 1 } });
      await c.activate(ACTIVATION, 'proxy-topology');
      expect((await c.heartbeat()).queuedJobs).toBe(0);
      expect(lab.recorder.find({ kind: 'tls', from: 'proxy', to: 'cloud', port: 443 }).length).toBeGreaterThan(0);
    } finally {
      http.close();
    }
  } finally {
    await lab.stop();
  }
});
