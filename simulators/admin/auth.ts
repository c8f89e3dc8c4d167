import { createHash, timingSafeEqual } from 'node:crypto';
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
