import { asList, isXObject, MoRef, type XObject } from '../core/codecs/vim25/index.ts';
import type { FaultRegistry, Fault } from '../core/faults/registry.ts';
import type { Credentials } from '../core/types.ts';
import type { ConnContext } from '../core/net/listen.ts';
import type { LabWorld } from '../world.ts';
import type { ManagedObject } from './managed-object.ts';
import { Args } from './soap/args.ts';
import { Faults } from './soap/faults.ts';
import { SessionStore, type Session } from './session.ts';
import type { Naming } from './naming.ts';
import type { Layout } from './layout.ts';
import { timingOf, type Timing } from '../timing.ts';
import { vsphereOf } from './state.ts';

export type Flavor = 'vcenter' | 'esxi';

export interface EngineOptions {
  flavor: Flavor;
  /** Component name: fault target and trace name ("vcenter", "esxi-01"). */
  component: string;
  /** Hostname clients use ("vcenter.lab.test"). */
  hostname: string;
  faults: FaultRegistry;
  /** The login this endpoint accepts. */
  login: Credentials;
  credentials: Record<string, Credentials>;
  world: LabWorld;
  /** SHA-1 thumbprint (colon form) of a lab component's certificate, for NFC tickets. */
  thumbprintOf(component: string): string | undefined;
  /** Task state delays (ms): queued -> running, running -> done; overrides the timing profile's. */
  taskDelays?: { queuedMs: number; runMs: number };
  /** How long simulated work takes (default: the lab's profile, world.options.timing). */
  timing?: Timing;
}

export interface CallContext {
  engine: SoapEngine;
  method: string;
  session?: Session;
  conn?: ConnContext;
  peerAddress: string;
  userAgent: string;
  /** Set by Login / CloneSession: the HTTP layer answers with its cookie. */
  newSession?: Session;
}

/**
 * Operations that never change what a property read returns: the only ones that leave the state
 * version alone (anything else, login included, bumps it before and after it runs).
 */
const READ_ONLY = new Set([
  'RetrieveProperties', 'RetrievePropertiesEx', 'ContinueRetrievePropertiesEx', 'RetrieveServiceContent', 'CurrentTime',
  'WaitForUpdates', 'WaitForUpdatesEx', 'CheckForUpdates', 'FindByUuid', 'FindByInventoryPath', 'FindChild', 'FindByIp',
  'FindByDnsName', 'QueryChangedDiskAreas', 'SessionIsActive',
]);

/** Methods callable without a session. */
const PUBLIC_METHODS = new Set(['RetrieveServiceContent', 'Login', 'CloneSession', 'LoginByToken']);

/**
 * vCenter answers a collector read of SessionManager.currentSession without a session with the
 * property in missingSet (NotAuthenticated), not a SOAP fault: clients (govmomi's UserSession,
 * pyVmomi's accessor) use it to tell a dead saved session. Only that one read is let through.
 */
function isCurrentSessionRead(method: string, body: XObject): boolean {
  if (method !== 'RetrieveProperties' && method !== 'RetrievePropertiesEx') return false;
  const specs = asList(body.specSet);
  return specs.length > 0 && specs.every((spec) => {
    if (!isXObject(spec)) return false;
    const objs = asList(spec.objectSet);
    const props = asList(spec.propSet);
    return objs.length > 0 && props.length > 0 &&
      objs.every((o) => isXObject(o) && o.obj instanceof MoRef && o.obj.type === 'SessionManager' && o.selectSet === undefined) &&
      props.every((p) => isXObject(p) && p.all !== 'true' && asList(p.pathSet).every((x) => x === 'currentSession'));
  });
}

/**
 * One vim25 endpoint: its managed objects (no global registry: two labs in one process never share
 * one), sessions, change notifications for WaitForUpdatesEx, and the generic dispatcher.
 */
export class SoapEngine {
  readonly objects = new Map<string, ManagedObject>();
  readonly sessions = new SessionStore();
  private waiters = new Set<() => void>();
  private stopped = false;
  private seq = 0;
  /** Creates objects on first use (VMs and snapshots live in the shared world, not in this registry). */
  resolver?: (ref: MoRef) => ManagedObject | undefined;
  naming!: Naming;
  layout!: Layout;
  /** TaskManager.recentTask. */
  readonly recentTasks: MoRef[] = [];
  serviceInstance!: ManagedObject;

  /** Simulated durations: tasks, leases, guest power (simulators/timing.ts). */
  readonly timing: Timing;

  constructor(readonly options: EngineOptions) {
    this.timing = options.timing ?? timingOf(options.world?.options?.timing);
  }

  get flavor(): Flavor {
    return this.options.flavor;
  }

  get world(): LabWorld {
    return this.options.world;
  }

  nextId(prefix: string): string {
    return `${prefix}-${++this.seq}`;
  }

  register<T extends ManagedObject>(mo: T): T {
    this.objects.set(mo.ref.value, mo);
    return mo;
  }

  unregister(ref: MoRef): void {
    this.objects.delete(ref.value);
  }

  lookup(ref: MoRef): ManagedObject | undefined {
    let mo = this.objects.get(ref.value);
    if (mo && !mo.alive()) {
      this.objects.delete(ref.value);
      mo = undefined;
    }
    if (!mo && this.resolver) {
      mo = this.resolver(ref);
      if (mo) this.objects.set(ref.value, mo);
    }
    return mo && mo.ref.type === ref.type ? mo : undefined;
  }

  require(ref: MoRef): ManagedObject {
    const mo = this.lookup(ref);
    if (!mo) throw Faults.notFound(ref);
    return mo;
  }

  /** The active protocol fault of `type` for this component (consuming one use). */
  fault(type: string): Fault | undefined {
    return this.options.faults.take(this.options.component, type);
  }

  peekFault(type: string): Fault | undefined {
    return this.options.faults.peek(this.options.component, type);
  }

  /** Resolves once fault `id` is cleared (or the engine stops): "stuck" operations wait here. */
  untilCleared(id: string): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        off();
        this.waiters.delete(check);
        resolve();
      };
      const check = () => {
        if (this.stopped || !this.options.faults.list().some((f) => f.id === id)) done();
      };
      const off = this.options.faults.onChange(check);
      this.waiters.add(check);
      check();
    });
  }

  /** The vSphere state changed (or may have): results cached before no longer hold. */
  touch(): void {
    vsphereOf(this.world).version++;
  }

  /** Runs `work`, which may change state across its awaits: nothing is cached while it runs, and nothing cached before survives it. */
  async changing<T>(work: () => Promise<T> | T): Promise<T> {
    const vs = vsphereOf(this.world);
    vs.busy++;
    vs.version++;
    try {
      return await work();
    } finally {
      vs.busy--;
      vs.version++;
    }
  }

  /** Something a client may be waiting on changed (task state, power, snapshots). */
  changed(): void {
    this.touch();
    const ws = [...this.waiters];
    for (const w of ws) w();
  }

  /** Resolves on the next change or after `ms`, whichever is first. */
  waitForChange(ms: number): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.waiters.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, Math.max(0, ms));
      timer.unref?.();
      this.waiters.add(wake);
    });
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  stop(): void {
    this.stopped = true;
    this.changed();
  }

  /** The dispatcher: session check, look up `_this`, find the operation, call it. */
  async invoke(method: string, body: XObject, call: CallContext): Promise<unknown> {
    const self = body._this;
    if (!(self instanceof MoRef)) throw Faults.invalidRequest(`${method}: missing or invalid _this`);
    if (!PUBLIC_METHODS.has(method) && !(call.session === undefined && isCurrentSessionRead(method, body))) {
      if (!call.session) throw Faults.notAuthenticated(self);
      if (this.fault('session-expired')) {
        this.sessions.remove(call.session);
        throw Faults.notAuthenticated(self);
      }
      call.session.lastActive = new Date();
      call.session.callCount++;
    }
    const mo = this.lookup(self);
    if (!mo) throw Faults.notFound(self);
    const fn = mo.method(method);
    if (!fn) throw Faults.methodNotFound(self, method);
    if (READ_ONLY.has(method)) return await fn.call(mo, new Args(body), call);
    // A read that lands while an operation is half done (between its awaits) must not be cached as final.
    return await this.changing(() => fn.call(mo, new Args(body), call));
  }
}
