import { timingOf } from '../timing.ts';
import { join } from 'node:path';
import type { ComponentSpec } from '../core/component.ts';
import type { Fault } from '../core/faults/registry.ts';
import { mswRequestHandler } from '../core/net/msw-adapter.ts';
import type { CacheStatus } from '../core/codecs/cloud-api.ts';
import { openBlockStore } from '../cloud/block-store.ts';
import { CLOUD_HOSTNAME } from '../cloud/component.ts';
import { serveOptions } from '../cloud/http-api.ts';
import type { LabWorld } from '../world.ts';
import { CacheBackend } from './cache-backend.ts';
import { CloudLink } from './cloud-link.ts';
import { cloudCacheDirectRoutes, cloudCacheHandlers } from './handlers.ts';
import { validateOptions, type CloudCacheOptions } from './options.ts';
import { ProxyAuth } from './proxy-auth.ts';
import { WriteBack } from './sync.ts';

export interface CloudCacheApi {
  status(): CacheStatus;
  /** Change the sync window or bandwidth cap while the lab runs. */
  configure(options: Partial<CloudCacheOptions>): void;
}

declare module '../world.ts' {
  interface LabWorld {
    /** CloudCache's in-process API; set when it starts. */
    cloudcache?: CloudCacheApi;
  }
}

export const CLOUDCACHE_HOSTNAME = 'cloudcache.lab.test';

/**
 * CloudCache on 443. It gets its own credentials from the cloud at start (in-process, like an
 * appliance registered by the admin) and syncs over HTTPS as `cloudcache -> cloud:443`. The
 * `cloudcache-offline` fault becomes a `refuse` connection fault on this component.
 */
export function cloudCacheComponent(options: CloudCacheOptions = {}, name = 'cloudcache', cloud = { name: 'cloud', hostname: CLOUD_HOSTNAME }): ComponentSpec<LabWorld> {
  validateOptions(options);
  return {
    name,
    kind: 'cloudcache',
    hostname: CLOUDCACHE_HOSTNAME,
    async start(ctx) {
      const cloudService = ctx.world.cloud;
      if (!cloudService) throw new Error(`${name} needs the ${cloud.name} component started before it`);
      const stateDir = ctx.world.options?.stateDir;
      const link = new CloudLink({ host: cloud.hostname, netmap: ctx.netmap, caPem: ctx.ca.cert, localAddress: ctx.address, token: cloudService.issueCacheToken(name) });
      const backend = new CacheBackend(openBlockStore(stateDir ? join(stateDir, name, 'blocks') : undefined), link, ctx.faults, name);
      // The idle re-check follows the lab's timing profile unless the scenario sets it.
      const recheckIntervalMs = timingOf(ctx.world.options?.timing).syncRecheckMs;
      const sync = new WriteBack({ backend, link, faults: ctx.faults, trace: ctx.trace, name, cloudName: cloud.name }, { recheckIntervalMs, ...options });

      const mirror = (f: Fault, action: 'set' | 'clear') => {
        if (f.type !== 'cloudcache-offline' || (f.target !== name && f.target !== '*')) return;
        if (action === 'set') ctx.faults.set({ id: `${f.id}:refuse`, target: name, type: 'refuse', params: {} });
        else ctx.faults.clear(`${f.id}:refuse`);
      };
      const unsubscribe = ctx.faults.onChange(mirror);
      const unregister = ctx.onDataReset(async () => {
        backend.pending.clear();
        return { blocks: await backend.store.clear() };
      });
      for (const f of ctx.faults.list()) mirror(f, 'set');

      try {
        const auth = new ProxyAuth(link);
        const serve = mswRequestHandler(cloudCacheHandlers(backend, auth, sync), { ...serveOptions, direct: cloudCacheDirectRoutes(backend, auth) });
        await ctx.listenHttps({ listener: 'https', realPort: 443, protocol: 'https', scheme: 'https', path: '/api/v1/' }, (req, res, conn) => {
          // New connections are refused by the mirrored fault; kept-alive ones die at their next request.
          if (ctx.faults.peek(name, 'cloudcache-offline')) {
            conn.trace('fault', 'cloudcache-offline: connection dropped');
            req.socket.destroy();
            return;
          }
          return serve(req, res, conn);
        });
      } catch (err) {
        unsubscribe();
        unregister();
        link.close();
        throw err;
      }
      sync.start();
      ctx.world.cloudcache = { status: () => sync.status(), configure: (o) => sync.configure(o) };
      return {
        stop: async () => {
          unsubscribe();
          unregister();
          await sync.stop();
          link.close();
          backend.store.close();
          ctx.world.cloudcache = undefined;
        },
      };
    },
  };
}
