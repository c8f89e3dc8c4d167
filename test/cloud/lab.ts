import { randomBytes } from 'node:crypto';
import { CoreLab } from '../../simulators/core/lab.ts';
import { mergeCredentials } from '../../simulators/credentials.ts';
import { cloudComponent } from '../../simulators/cloud/component.ts';
import { cloudCacheComponent } from '../../simulators/cloudcache/component.ts';
import type { CloudCacheOptions } from '../../simulators/cloudcache/options.ts';
import type { LabWorld } from '../../simulators/world.ts';
import type { LabOptions } from '../../simulators/lab-options.ts';
import { ProxyNet } from '../../proxy/net/proxy-net.ts';
import { HttpsClient } from '../../proxy/net/https-client.ts';
import { CloudClient } from '../../proxy/clients/cloud/cloud-client.ts';
import type { RetryPolicy } from '../../proxy/clients/cloud/retry.ts';
import { CloudApiError } from '../../proxy/clients/cloud/errors.ts';

export const ACTIVATION = mergeCredentials().cloud!.password;
export const ADMIN = mergeCredentials().admin!;

export interface CloudLab {
  lab: CoreLab<LabWorld>;
  http: HttpsClient;
  /** An unauthenticated client for the cloud, no retries. */
  anon: CloudClient;
  /** Activates a proxy and returns its client (no retries unless asked). */
  proxy(name?: string, retry?: RetryPolicy): Promise<CloudClient>;
  stop(): Promise<void>;
}

/** Cloud (+ CloudCache unless cache === false) over real TLS sockets, as the proxy sees them. */
export async function startCloudLab(opts: { stateDir?: string; cache?: CloudCacheOptions | false; lab?: Pick<LabOptions, 'clock' | 'jobLeaseMs' | 'lockout'> } = {}): Promise<CloudLab> {
  // Only the parts the cloud components read; the rest of the world belongs to other rooms.
  const world = { seed: 'cloud-test', options: { stateDir: opts.stateDir, ...opts.lab } } as LabWorld;
  const lab = await CoreLab.create<LabWorld>(world, { credentials: mergeCredentials() });
  await lab.start([cloudComponent(), ...(opts.cache === false ? [] : [cloudCacheComponent({ recheckIntervalMs: 50, ...opts.cache })])]);
  const http = new HttpsClient(new ProxyNet({ endpoints: lab.endpoints(), caPem: lab.ca.cert, localAddress: lab.addressOf('proxy') }));
  const anon = new CloudClient({ http, host: 'cloud.lab.test', retry: { attempts: 1 } });
  return {
    lab,
    http,
    anon,
    async proxy(name = `proxy-${randomBytes(3).toString('hex')}`, retry = { attempts: 1 }) {
      const c = new CloudClient({ http, host: 'cloud.lab.test', retry });
      await c.activate(ACTIVATION, name);
      return c;
    },
    async stop() {
      http.close();
      await lab.stop();
    },
  };
}

/** The CloudApiError a promise rejects with (fails the test if it resolves). */
export async function apiError(p: Promise<unknown>): Promise<CloudApiError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof CloudApiError) return err;
    throw err;
  }
  throw new Error('expected the call to fail');
}

export async function until<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export function block(label: string, size = 64 * 1024): Buffer {
  // Deterministic but distinct content per label.
  const out = Buffer.alloc(size);
  const seed = Buffer.from(label);
  for (let i = 0; i < size; i++) out[i] = (seed[i % seed.length]! + i * 31) & 0xff;
  return out;
}
