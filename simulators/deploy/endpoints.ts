import type { IssuedCert } from '../core/pki/ca.ts';
import type { Endpoint } from '../core/types.ts';
import { NetMap } from '../core/net/netmap.ts';
import { addressOf, type DeployPlan } from './plan.ts';

/**
 * The endpoint list a proxy gets for a deployment: every listener under its hostname and address
 * on its real port, so `NetMap` maps `esxi-01.lab.test:902` straight to that host. HTTPS
 * listeners carry the thumbprints of the certificate the component presents.
 */
export function proxyEndpoints(plan: DeployPlan, certOf: (component: string) => IssuedCert | undefined = () => undefined): Endpoint[] {
  return plan.units.flatMap((u) =>
    u.listeners.map((l): Endpoint => {
      const address = addressOf(plan, u.component);
      const cert = l.path !== undefined ? certOf(u.component) : undefined;
      return {
        component: u.component,
        kind: u.kind,
        hostname: u.hostname,
        address,
        bindAddress: address,
        port: l.realPort,
        realPort: l.realPort,
        transport: l.transport,
        protocol: l.protocol,
        listener: l.listener,
        ...(l.path !== undefined ? { url: `https://${u.hostname}${l.realPort === 443 ? '' : ':' + l.realPort}${l.path}` } : {}),
        ...(cert ? { sha1: cert.sha1, sha256: cert.sha256 } : {}),
      };
    }),
  );
}

/** How the proxy resolves the deployment's hostnames: a NetMap over its endpoint list. */
export function deploymentNetMap(plan: DeployPlan): NetMap {
  return NetMap.of(proxyEndpoints(plan));
}
