import { randomBytes } from 'node:crypto';
import { data } from '../core/codecs/vim25/index.ts';

/** Per-session state of one property collector: its filters and the last version it reported. */
export interface CollectorState {
  version: number;
  filters: Set<string>;
}

export class Session {
  readonly key = randomBytes(16).toString('hex');
  /** The cookie value: what the client sends back as vmware_soap_session. */
  readonly cookie = `52${randomBytes(19).toString('hex')}`;
  readonly loginTime = new Date();
  lastActive = new Date();
  callCount = 0;
  readonly collectors = new Map<string, CollectorState>();
  /** Objects this session created (views, filters, collectors), destroyed with it. */
  readonly owned = new Set<string>();

  constructor(
    readonly userName: string,
    readonly ipAddress: string,
    readonly userAgent: string,
  ) {}

  collector(ref: string): CollectorState {
    let c = this.collectors.get(ref);
    if (!c) this.collectors.set(ref, (c = { version: 0, filters: new Set() }));
    return c;
  }

  toUserSession() {
    return data('UserSession', {
      key: this.key,
      userName: this.userName,
      fullName: this.userName,
      loginTime: this.loginTime,
      lastActiveTime: this.lastActive,
      locale: 'en',
      messageLocale: 'en',
      extensionSession: false,
      ipAddress: this.ipAddress,
      userAgent: this.userAgent,
      callCount: this.callCount,
    });
  }
}

/** Sessions of one engine, by cookie; idle ones expire like vCenter's (30 minutes by default). */
export class SessionStore {
  private readonly byCookie = new Map<string, Session>();

  constructor(private readonly idleMs = 30 * 60_000) {}

  add(s: Session): void {
    this.sweep();
    this.byCookie.set(s.cookie, s);
  }

  get(cookie: string | undefined): Session | undefined {
    if (!cookie) return undefined;
    const s = this.byCookie.get(cookie);
    if (!s) return undefined;
    if (Date.now() - s.lastActive.getTime() > this.idleMs) {
      this.byCookie.delete(cookie);
      return undefined;
    }
    return s;
  }

  byKey(key: string): Session | undefined {
    for (const s of this.byCookie.values()) if (s.key === key) return s;
    return undefined;
  }

  /** Live sessions (SessionManager.sessionList). */
  list(): Session[] {
    this.sweep();
    return [...this.byCookie.values()];
  }

  remove(s: Session): void {
    this.byCookie.delete(s.cookie);
  }

  private sweep(): void {
    const now = Date.now();
    for (const [c, s] of this.byCookie) if (now - s.lastActive.getTime() > this.idleMs) this.byCookie.delete(c);
  }
}
