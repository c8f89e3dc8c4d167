import { randomBytes, timingSafeEqual } from 'node:crypto';
import { data, type DataObject } from '../../core/codecs/vim25/index.ts';
import type { CallContext, SoapEngine } from '../engine.ts';
import { ManagedObject } from '../managed-object.ts';
import type { Args } from '../soap/args.ts';
import { Faults } from '../soap/faults.ts';
import { Session } from '../session.ts';
import { postEvent } from './event-manager.ts';
import { ESXI_POLICY, VCENTER_SSO_POLICY } from '../../core/lockout.ts';
import { lockoutFor } from '../../lockouts.ts';

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Logins and tickets. Clone and generic service tickets are single-use and expire. */
export class SessionManager extends ManagedObject {
  private readonly cloneTickets = new Map<string, { user: string; expires: number }>();
  readonly serviceTickets = new Map<string, { url: string; method: string; expires: number }>();

  constructor(engine: SoapEngine, id: string) {
    super(engine, 'SessionManager', id);
    this.expose({
      // Without a session the collector reports it in missingSet: clients read it to test a saved session.
      currentSession: (call) => {
        if (!call.session) throw Faults.notAuthenticated(this.ref);
        return call.session.toUserSession();
      },
      sessionList: () => engine.sessions.list().map((x) => x.toUserSession()),
      defaultLocale: () => 'en',
      supportedLocaleList: () => ['en'],
      message: () => undefined,
      messageLocaleList: () => ['en'],
    });
  }

  private open(user: string, call: CallContext): DataObject {
    const s = new Session(user, call.peerAddress, call.userAgent);
    this.engine.sessions.add(s);
    call.newSession = s;
    call.session = s;
    postEvent(this.engine, {
      type: 'UserLoginSessionEvent',
      userName: user,
      message: `User ${user}@${call.peerAddress} logged in as ${call.userAgent || 'unknown'}`,
      fields: { ipAddress: call.peerAddress, userAgent: call.userAgent, locale: 'en', sessionId: s.key },
    });
    return s.toUserSession();
  }

  Login(args: Args, call: CallContext): DataObject {
    const user = args.str('userName');
    const password = args.str('password');
    const want = this.engine.options.login;
    if (this.engine.fault('invalid-login')) throw Faults.invalidLogin();
    const right = same(user.toLowerCase(), want.user.toLowerCase()) && same(password, want.password);
    // SSO (vCenter) and pam_faillock (ESXi) lock the account; a locked account gets the same InvalidLogin.
    const { component, flavor } = this.engine.options;
    const lockout = lockoutFor(this.engine.world, component, flavor === 'esxi' ? ESXI_POLICY : VCENTER_SSO_POLICY);
    const account = user.toLowerCase();
    if (lockout.attempt(account, right) !== 'ok') {
      const left = lockout.retryAfterMs(account);
      if (left > 0) call.conn?.trace('error', `Login: account ${user.slice(0, 64)} is locked for ${Math.ceil(left / 1000)} s more`);
      throw Faults.invalidLogin();
    }
    return this.open(want.user, call);
  }

  Logout(_args: Args, call: CallContext): void {
    const s = call.session;
    if (!s) return;
    for (const id of s.owned) this.engine.objects.delete(id);
    this.engine.sessions.remove(s);
    postEvent(this.engine, {
      type: 'UserLogoutSessionEvent',
      userName: s.userName,
      message: `User ${s.userName}@${s.ipAddress} logged out (login time: ${s.loginTime.toISOString()}, number of API invocations: ${s.callCount}, user agent: ${s.userAgent})`,
      fields: { ipAddress: s.ipAddress, userAgent: s.userAgent, callCount: s.callCount, sessionId: s.key, loginTime: s.loginTime },
    });
  }

  /** Ends other sessions by key: the caller's own gets InvalidArgument, an unknown key NotFound (as vCenter). */
  TerminateSession(args: Args, call: CallContext): void {
    const keys = args.list('sessionId').map(String);
    const found = keys.map((k) => {
      if (k === call.session!.key) throw Faults.invalidArgument('sessionId', 'cannot terminate the current session');
      const s = this.engine.sessions.byKey(k);
      if (!s) throw Faults.notFoundGeneric(`The session ${k} was not found.`);
      return s;
    });
    for (const s of found) this.engine.sessions.remove(s);
  }

  SessionIsActive(args: Args): boolean {
    const s = this.engine.sessions.byKey(args.str('sessionID'));
    return !!s && s.userName.toLowerCase() === args.str('userName').toLowerCase();
  }

  AcquireCloneTicket(_args: Args, call: CallContext): string {
    const ticket = `cst-VCT-${randomBytes(16).toString('hex')}`;
    this.cloneTickets.set(ticket, { user: call.session!.userName, expires: Date.now() + 30_000 });
    return ticket;
  }

  CloneSession(args: Args, call: CallContext): DataObject {
    const ticket = args.str('cloneTicket');
    const t = this.cloneTickets.get(ticket);
    this.cloneTickets.delete(ticket);
    if (!t || t.expires < Date.now()) throw Faults.invalidLogin();
    return this.open(t.user, call);
  }

  /**
   * Consumes a generic service ticket for an HTTP request: valid once, before it expires, for the
   * ticket's URL path and query (any host: clients may use an address) and its method.
   */
  takeServiceTicket(id: string, url: URL, method: string): boolean {
    const t = this.serviceTickets.get(id);
    if (!t) return false;
    this.serviceTickets.delete(id);
    let want: URL;
    try {
      want = new URL(t.url, 'https://host');
    } catch {
      return false;
    }
    const sameQuery = [...want.searchParams].every(([k, v]) => url.searchParams.get(k) === v);
    return t.expires > Date.now() && t.method === method && decodeURIComponent(want.pathname) === decodeURIComponent(url.pathname) && sameQuery;
  }

  /** An HTTP ticket: grants one request to its URL on /folder (cookie vmware_cgi_ticket). */
  AcquireGenericServiceTicket(args: Args): DataObject {
    const spec = args.obj('spec');
    const url = typeof spec.url === 'string' ? spec.url : '';
    const method = typeof spec.method === 'string' ? spec.method : 'httpGet';
    if (!url) throw Faults.invalidArgument('spec.url');
    const id = `${randomBytes(20).toString('hex')}`;
    this.serviceTickets.set(id, { url, method, expires: Date.now() + 10 * 60_000 });
    return data('SessionManagerGenericServiceTicket', { id, hostName: this.engine.options.hostname });
  }
}
