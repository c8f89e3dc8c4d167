import type { ComponentSpec } from '../core/component.ts';
import { mswRequestHandler } from '../core/net/msw-adapter.ts';
import { DEFAULT_CREDENTIALS } from '../credentials.ts';
import type { LabWorld } from '../world.ts';
import { CloudService } from './cloud-service.ts';
import { cloudDirectRoutes, cloudHandlers } from './handlers.ts';
import { serveOptions } from './http-api.ts';

declare module '../world.ts' {
  interface LabWorld {
    /** The backup cloud's in-process API (queue jobs, issue tokens, inspect storage); set when it starts. */
    cloud?: CloudService;
  }
}

export const CLOUD_HOSTNAME = 'cloud.lab.test';

/** The backup cloud on 443: activation, jobs, blocks, manifests, SQL catalog (docs/cloud-api.md). */
export function cloudComponent(name = 'cloud', hostname = CLOUD_HOSTNAME): ComponentSpec<LabWorld> {
  return {
    name,
    kind: 'cloud',
    hostname,
    async start(ctx) {
      const creds = { ...DEFAULT_CREDENTIALS, ...ctx.credentials };
      const service = await CloudService.open({
        name,
        activationToken: creds.cloud!.password,
        admin: creds.admin!,
        stateDir: ctx.world.options?.stateDir,
        faults: ctx.faults,
        lockout: ctx.world.options?.lockout,
        clock: ctx.world.options?.clock,
        jobLeaseMs: ctx.world.options?.jobLeaseMs,
      });
      ctx.world.cloud = service;
      const unregister = ctx.onDataReset(() => service.clearData());
      try {
        await ctx.listenHttps({ listener: 'https', realPort: 443, protocol: 'https', scheme: 'https', path: '/api/v1/' }, mswRequestHandler(cloudHandlers(service), { ...serveOptions, direct: cloudDirectRoutes(service) }));
      } catch (err) {
        unregister();
        service.close();
        throw err;
      }
      return {
        stop: async () => {
          unregister();
          if (ctx.world.cloud === service) ctx.world.cloud = undefined;
          service.close();
        },
      };
    },
  };
}
