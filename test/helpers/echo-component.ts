import { http, HttpResponse } from 'msw';
import type { ComponentSpec } from '../../simulators/core/component.ts';
import { mswRequestHandler } from '../../simulators/core/net/msw-adapter.ts';

/** A minimal HTTPS component for core tests: POST /echo returns what it got. */
export function echoComponent(name = 'echo'): ComponentSpec {
  return {
    name,
    kind: 'echo',
    hostname: `${name}.lab.test`,
    start: async (ctx) => {
      await ctx.listenHttps(
        { listener: 'https', realPort: 443, protocol: 'https', scheme: 'https' },
        mswRequestHandler([
          http.post('*/echo', async ({ request }) => HttpResponse.json({ got: await request.text() })),
          http.get('*/error', () => HttpResponse.error()),
        ], { maxBodyBytes: 1024 * 1024 }),
      );
    },
  };
}
