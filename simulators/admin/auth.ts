import { createHash, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import type { Credentials } from '../core/types.ts';
import { errorResponse } from './errors.ts';

const digest = (s: string) => createHash('sha256').update(s).digest();

/** HTTP Basic check in constant time (hashing first makes lengths equal). */
export function isAuthorized(request: Request, creds: Credentials): boolean {
  const header = request.headers.get('authorization') ?? '';
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!match) return false;
  const given = Buffer.from(match[1]!, 'base64').toString('utf8');
  return timingSafeEqual(digest(given), digest(`${creds.user}:${creds.password}`));
}

export function unauthorized(): Response {
  return errorResponse(401, 'unauthorized', 'the admin API needs HTTP Basic credentials (credentials.admin of the lab; default admin / bpsim)', {
    'www-authenticate': 'Basic realm="bpsim admin", charset="UTF-8"',
  });
}

/** Loopback names and addresses: localhost, 127.x.y.z, ::1. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'));
}

/**
 * DNS-rebinding defence: a web page that makes its own host name resolve to 127.0.0.1 reaches the
 * admin port with that name in Host. Only loopback names and the admin API's own address are
 * served. Returns why a Host is refused, or undefined. A request without Host (HTTP/1.0) is served:
 * a browser always sends one.
 */
export function hostRefusal(header: string | undefined, ownHost: string): string | undefined {
  if (header === undefined) return undefined;
  let name = '';
  try {
    name = new URL(`http://${header}`).hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  } catch {
    // Not a host name at all: refused below.
  }
  if (name && (isLoopback(name) || name === ownHost.toLowerCase())) return undefined;
  return `the admin API answers only to loopback host names (localhost, 127.x.y.z, [::1]) or ${ownHost}, not Host "${header.slice(0, 100)}"`;
}
