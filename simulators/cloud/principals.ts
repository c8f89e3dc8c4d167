import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { ActivationResult } from '../core/codecs/cloud-api.ts';
import { ApiError } from './http-api.ts';
import { nowIso, type Db } from './metadata-db.ts';

export type Role = 'proxy' | 'cache';

export interface Principal {
  id: string;
  name: string;
  role: Role;
}

interface PrincipalRow extends Principal {
  token: string;
  created_at: string;
  last_heartbeat: string | null;
  status: string | null;
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Who may call the cloud: proxies activated with an activation token (each proxy name once per
 * token lifetime), and CloudCache instances given a token at lab start.
 */
export class Principals {
  constructor(private readonly db: Db, private readonly labToken: string) {}

  /** An extra activation token (the lab's own token from credentials.cloud.password always works). */
  issueActivationToken(): string {
    const token = `BPSIM-ACT-${randomBytes(8).toString('hex').toUpperCase()}`;
    this.db.prepare('INSERT INTO activation_tokens (token, created_at) VALUES (?, ?)').run(token, nowIso());
    return token;
  }

  private validActivationToken(token: string): boolean {
    if (sameSecret(token, this.labToken)) return true;
    return !!this.db.prepare('SELECT 1 FROM activation_tokens WHERE token = ?').get(token);
  }

  activate(activationToken: string, proxyName: string): ActivationResult {
    if (!this.validActivationToken(activationToken)) throw new ApiError(403, 'invalid_activation_token', 'the activation token is not valid for this cloud');
    const existing = this.db.prepare("SELECT id FROM principals WHERE role = 'proxy' AND name = ?").get(proxyName);
    if (existing) throw new ApiError(409, 'already_activated', `a proxy named "${proxyName}" is already activated; deactivate it first or use another name`);
    const p = this.create(proxyName, 'proxy');
    return { proxyId: p.id, proxyName: p.name, token: p.token, tokenType: 'Bearer' };
  }

  deactivate(proxyName: string): boolean {
    return this.db.prepare("DELETE FROM principals WHERE role = 'proxy' AND name = ?").run(proxyName).changes > 0;
  }

  /** Credentials for a CloudCache (replaces any earlier token of that cache). */
  issueCacheToken(cacheName: string): string {
    this.db.prepare("DELETE FROM principals WHERE role = 'cache' AND name = ?").run(cacheName);
    return this.create(cacheName, 'cache').token;
  }

  private create(name: string, role: Role): PrincipalRow {
    const row: PrincipalRow = { id: `${role}-${randomUUID().slice(0, 8)}`, name, role, token: randomBytes(24).toString('base64url'), created_at: nowIso(), last_heartbeat: null, status: null };
    this.db.prepare('INSERT INTO principals (id, name, role, token, created_at) VALUES (@id, @name, @role, @token, @created_at)').run(row);
    return row;
  }

  byToken(token: string | undefined): Principal | undefined {
    if (!token) return undefined;
    const row = this.db.prepare('SELECT id, name, role FROM principals WHERE token = ?').get(token) as Principal | undefined;
    return row ? { ...row } : undefined;
  }

  heartbeat(p: Principal, status: Record<string, unknown>): { serverTime: string } {
    const now = nowIso();
    this.db.prepare('UPDATE principals SET last_heartbeat = ?, status = ? WHERE id = ?').run(now, JSON.stringify(status), p.id);
    return { serverTime: now };
  }

  proxies(): Array<{ id: string; name: string; createdAt: string; lastHeartbeat: string | null; status: unknown }> {
    const rows = this.db.prepare("SELECT * FROM principals WHERE role = 'proxy' ORDER BY created_at").all() as PrincipalRow[];
    return rows.map((r) => ({ id: r.id, name: r.name, createdAt: r.created_at, lastHeartbeat: r.last_heartbeat, status: r.status ? JSON.parse(r.status) : null }));
  }
}
