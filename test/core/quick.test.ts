import { test, expect } from 'vitest';
import { http, HttpResponse } from 'msw';
import { CoreLab } from '../../simulators/core/lab.ts';
import { mswRequestHandler } from '../../simulators/core/net/msw-adapter.ts';
import { ProxyNet } from '../../proxy/net/proxy-net.ts';
import { HttpsClient } from '../../proxy/net/https-client.ts';

test('msw handlers over real https', async () => {
  const lab = await CoreLab.create({}, {});
  try {
    await lab.start([{
      name: 'echo', kind: 'echo', hostname: 'echo.lab.test',
      start: async (ctx) => {
        await ctx.listenHttps({ listener: 'https', realPort: 443, protocol: 'https', scheme: 'https' },
          mswRequestHandler([http.post('*/echo', async ({ request }) => HttpResponse.json({ got: await request.text() }))]));
      },
    }]);
    const client = new HttpsClient(new ProxyNet({ endpoints: lab.endpoints(), caPem: lab.ca.cert, localAddress: lab.addressOf('proxy') }));
    const r = await client.request({ host: 'echo.lab.test', method: 'POST', path: '/echo', body: 'hello' });
    expect(r.json()).toEqual({ got: 'hello' });
    const r2 = await client.request({ host: 'echo.lab.test', path: '/nope' });
    expect(r2.status).toBe(404);
    client.close();
    expect(lab.recorder.find({ kind: 'tls' })[0]!.from).toBe('proxy');
  } finally {
    await lab.stop();
  }
});
