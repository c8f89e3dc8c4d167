import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Credentials } from '../../core/types.ts';
import { authRequired } from './errors.ts';

export interface RestSession {
  id: string;
  user: string;
  created: Date;
  lastAccessed: Date;
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * vAPI sessions: separate from the SOAP sessions (a SOAP cookie is not a REST session and the other
 * way round, as on vCenter) but checked against the same lab credentials. Idle ones expire after
 * 30 minutes, vCenter's default.
 */
export class RestSessions {
  private readonly byId = new Map<string, RestSession>();

  constructor(
    private readonly login: Credentials,
    /** A protocol fault that refuses the next login (`invalid-login`, shared with SOAP Login). */
    private readonly refuseLogin: () => boolean = () => false,
    private readonly idleMs = 30 * 60_000,
  ) {}

  /** Creates a session from an `Authorization: Basic` header; anything else is unauthenticated. */
  create(authorization: string | null): RestSession {
    const m = /^Basic\s+(\S+)$/i.exec(authorization ?? '');
    if (!m) throw authRequired();
    const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const user = colon < 0 ? decoded : decoded.slice(0, colon);
    const password = colon < 0 ? '' : decoded.slice(colon + 1);
    if (this.refuseLogin() || !same(user.toLowerCase(), this.login.user.toLowerCase()) || !same(password, this.login.password)) throw authRequired();
    const now = new Date();
    // vCenter's ids are 32 hex characters.
    const s: RestSession = { id: randomBytes(16).toString('hex'), user: this.login.user, created: now, lastAccessed: now };
    this.byId.set(s.id, s);
    return s;
  }

  /** The live session with this id (touching it), or unauthenticated. */
  require(id: string | undefined): RestSession {
    const s = id ? this.byId.get(id) : undefined;
    if (!s) throw authRequired();
    if (Date.now() - s.lastAccessed.getTime() > this.idleMs) {
      this.byId.delete(s.id);
      throw authRequired();
    }
    s.lastAccessed = new Date();
    return s;
  }

  delete(s: RestSession): void {
    this.byId.delete(s.id);
  }
}

/** The session id a request carries: the vmware-api-session-id header, else the cookie of that name. */
export function sessionIdOf(request: Request): string | undefined {
  const header = request.headers.get('vmware-api-session-id');
  if (header) return header.trim();
  for (const part of (request.headers.get('cookie') ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === 'vmware-api-session-id') return v.join('=');
  }
  return undefined;
}
