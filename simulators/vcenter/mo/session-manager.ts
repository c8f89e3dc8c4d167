import { randomBytes, timingSafeEqual } from 'node:crypto';
import { data, type DataObject } from '../../core/codecs/vim25/index.ts';
import type { CallContext, SoapEngine } from '../engine.ts';
import { ManagedObject } from '../managed-object.ts';
import type { Args } from '../soap/args.ts';
import { Faults } from '../soap/faults.ts';
import { Session } from '../session.ts';
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
      currentSession: (call) => call.session?.toUserSession(),
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
    if (!call.session) return;
    for (const id of call.session.owned) this.engine.objects.delete(id);
    this.engine.sessions.remove(call.session);
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

  /** An HTTP ticket (datastore /folder access); the simulator issues it but serves no /folder URL. */
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
