import { bearerOf, unauthorized, unavailable } from '../cloud/http-api.ts';
import type { CloudLink } from './cloud-link.ts';

/**
 * CloudCache accepts the proxy's cloud bearer token: it asks the cloud once (POST
 * /tokens/introspect with the cache's own token) and remembers a valid answer for `ttlMs`, so a
 * short cloud outage does not stop backups that are already running.
 */
export class ProxyAuth {
  private readonly known = new Map<string, number>();

  constructor(private readonly link: CloudLink, private readonly ttlMs = 5 * 60_000) {}

  async check(request: Request): Promise<void> {
    const token = bearerOf(request);
    if (!token) throw unauthorized('missing credentials: send the bearer token from cloud activation');
    const until = this.known.get(token);
    if (until !== undefined && until > Date.now()) return;
    let principal: { id: string; name: string } | undefined;
    try {
      principal = await this.link.introspect(token);
    } catch (err) {
      throw unavailable(5, `cannot validate credentials with the cloud right now: ${(err as Error).message}`, 'auth_unavailable');
    }
    if (!principal) {
      this.known.delete(token);
      throw unauthorized('the bearer token is not valid (the cloud does not know it)');
    }
    this.known.set(token, Date.now() + this.ttlMs);
  }
}
