import { data, isXObject, MoRef, type DataObject, type XObject } from '../../core/codecs/vim25/index.ts';
import type { CallContext, SoapEngine } from '../engine.ts';
import { ManagedObject } from '../managed-object.ts';
import { Args } from '../soap/args.ts';
import { Faults, VimFault } from '../soap/faults.ts';
import type { VmState } from '../state.ts';
import { HistoryCollector, MAX_COLLECTORS, registerCollector, MAX_PAGE, pageSize } from './history-collector.ts';
import { entityPredicate, stringList, timePredicate, userPredicate } from './history-filter.ts';

/** Supertypes of the events bpsim posts, for EventFilterSpec.type (a base type matches its subtypes). */
const SUPERTYPES: Record<string, string[]> = {
  VmPoweredOnEvent: ['VmEvent'],
  VmPoweredOffEvent: ['VmEvent'],
  VmReconfiguredEvent: ['VmEvent'],
  VmCreatedEvent: ['VmEvent'],
  VmRemovedEvent: ['VmEvent'],
  VmBeingCreatedEvent: ['VmEvent'],
  UserLoginSessionEvent: ['SessionEvent'],
  UserLogoutSessionEvent: ['SessionEvent'],
  GeneralUserEvent: ['GeneralEvent'],
};

interface LoggedEvent {
  seq: number;
  kinds: string[];
  eventTypeId?: string;
  entities: MoRef[];
  createdTime: Date;
  userName: string;
  chainId: number;
  data: DataObject;
}

/** One endpoint's event log (newest last), capped like vCenter's in-memory page. */
class EventLog {
  readonly events: LoggedEvent[] = [];
  private key = 0;
  next(): number {
    return ++this.key;
  }
  add(e: LoggedEvent): void {
    this.events.push(e);
    if (this.events.length > 10 * MAX_PAGE) this.events.shift();
  }
}

const logs = new WeakMap<SoapEngine, EventLog>();
function logOf(engine: SoapEngine): EventLog {
  let l = logs.get(engine);
  if (!l) logs.set(engine, (l = new EventLog()));
  return l;
}

export interface EventInput {
  /** The vim25 event type ("VmPoweredOnEvent"), or "EventEx" with eventTypeId. */
  type: string;
  userName?: string;
  vm?: VmState;
  /** Host moid (inventory) the event is about, when there is no VM. */
  host?: string;
  message: string;
  /** Type-specific fields (VmReconfiguredEvent.configSpec, UserLoginSessionEvent.ipAddress...). */
  fields?: Record<string, unknown>;
  eventTypeId?: string;
  chainId?: number;
}

function entityName(engine: SoapEngine, ref: MoRef): string {
  const mo = engine.lookup(ref);
  return String(mo?.property('name', undefined as unknown as CallContext) ?? ref.value);
}

/** Records an event the way vCenter reports it: datacenter, compute resource, host and VM arguments filled. */
export function postEvent(engine: SoapEngine, input: EventInput): void {
  const log = logOf(engine);
  const key = log.next();
  const layout = engine.layout;
  const entities: MoRef[] = [];
  const args: Record<string, unknown> = {};
  const dc = layout.datacenter;
  args.datacenter = data('DatacenterEventArgument', { name: entityName(engine, dc), datacenter: dc });
  entities.push(dc);
  const hostMoid = input.vm?.spec.host ?? input.host;
  if (hostMoid) {
    const host = layout.hostRef(hostMoid);
    const parent = engine.lookup(host)?.property('parent', undefined as unknown as CallContext);
    if (parent instanceof MoRef) {
      args.computeResource = data('ComputeResourceEventArgument', { name: entityName(engine, parent), computeResource: parent });
      entities.push(parent);
    }
    args.host = data('HostEventArgument', { name: entityName(engine, host), host });
    entities.push(host);
  }
  if (input.vm) {
    const vm = layout.vmRef(input.vm.spec.moid);
    args.vm = data('VmEventArgument', { name: input.vm.spec.name, vm });
    entities.push(vm);
  }
  const createdTime = new Date();
  const userName = input.userName ?? '';
  const chainId = input.chainId ?? key;
  const isVm = (SUPERTYPES[input.type] ?? []).includes('VmEvent');
  const event = data(input.type, {
    key,
    chainId,
    createdTime,
    userName,
    ...args,
    fullFormattedMessage: input.message,
    ...(isVm ? { template: false } : {}),
    ...(input.eventTypeId ? { eventTypeId: input.eventTypeId } : {}),
    ...input.fields,
  });
  log.add({ seq: key, kinds: [input.type, ...(SUPERTYPES[input.type] ?? []), 'Event'], eventTypeId: input.eventTypeId, entities, createdTime, userName, chainId, data: event });
  engine.changed();
}

/** A host's inventory name for event messages ("esxi-01.lab.test"). */
export function hostName(engine: SoapEngine, moid: string): string {
  return engine.world.inventory.hosts.find((h) => h.moid === moid)?.name ?? moid;
}

/** Posts an event on behalf of a call (its session's user). */
export function postCallEvent(call: CallContext, input: Omit<EventInput, 'userName'>): void {
  postEvent(call.engine, { ...input, userName: call.session?.userName ?? '' });
}

/** An EventFilterSpec compiled to a predicate; wrong shapes answer InvalidArgument / InvalidRequest. */
function eventFilter(engine: SoapEngine, raw: XObject): (e: LoggedEvent) => boolean {
  const spec = new Args(raw);
  const byEntity = entityPredicate(engine, spec, 'filter');
  const byTime = timePredicate(spec, 'filter');
  const byUser = userPredicate(spec);
  const types = stringList(raw.type);
  const typeIds = stringList(raw.eventTypeId);
  const chain = spec.optInt('eventChainId');
  return (e) =>
    (!byEntity || byEntity(e.entities)) &&
    (!byTime || byTime(e.createdTime)) &&
    byUser(e.userName) &&
    (!types.length || types.some((x) => e.kinds.includes(x))) &&
    (!typeIds.length || typeIds.some((x) => e.kinds.includes(x) || x === e.eventTypeId)) &&
    (chain === undefined || e.chainId === chain);
}

export class EventHistoryCollector extends HistoryCollector<LoggedEvent> {
  ReadNextEvents(args: Args): unknown[] {
    return this.readNext(args);
  }

  ReadPreviousEvents(args: Args): unknown[] {
    return this.readPrevious(args);
  }
}

/** EventManager: the log every operation posts to, queries over it and per-session collectors. */
export class EventManager extends ManagedObject {
  readonly collectors = new Set<string>();

  constructor(engine: SoapEngine, id: string) {
    super(engine, 'EventManager', id);
    this.expose({
      description: () =>
        data('EventDescription', {
          category: ['info', 'warning', 'error', 'user'].map((k) => data('ElementDescription', { key: k, label: k[0]!.toUpperCase() + k.slice(1), summary: k })),
          eventInfo: Object.keys(SUPERTYPES).map((k) => data('EventDescriptionEventDetail', { key: k, category: 'info', formatOnDatacenter: k, formatOnComputeResource: k, formatOnHost: k, formatOnVm: k, fullFormat: k })),
        }),
      latestEvent: () => logOf(engine).events.at(-1)?.data,
      maxCollector: () => MAX_COLLECTORS,
    });
  }

  private spec(args: Args): XObject {
    const f = args.raw.filter;
    if (f === undefined || f === '') return {};
    if (!isXObject(f)) throw Faults.invalidRequest('filter must be an EventFilterSpec');
    return f;
  }

  QueryEvents(args: Args): unknown[] {
    const raw = this.spec(args);
    const match = eventFilter(this.engine, raw);
    const max = raw.maxCount === undefined ? MAX_PAGE : pageSize(new Args(raw).optInt('maxCount'));
    return logOf(this.engine).events.filter(match).slice(-max).reverse().map((e) => e.data);
  }

  CreateCollectorForEvents(args: Args, call: CallContext): MoRef {
    const raw = this.spec(args);
    const match = eventFilter(this.engine, raw);
    const size = pageSize(new Args(raw).optInt('maxCount'));
    return registerCollector(call, this.collectors, 'eventcollector', (id) =>
      new EventHistoryCollector(this.engine, 'EventHistoryCollector', id, {
        items: () => logOf(this.engine).events.filter(match),
        toData: (e) => e.data,
        filter: { ...raw, _type: 'EventFilterSpec' },
        size,
        owner: this.collectors,
      }),
    );
  }

  /** A user's message on an entity (GeneralUserEvent). */
  LogUserEvent(args: Args, call: CallContext): void {
    const entity = args.ref('entity');
    this.engine.require(entity);
    const msg = args.str('msg');
    postCallEvent(call, { type: 'GeneralUserEvent', message: msg, fields: { message: msg, entity: data('ManagedEntityEventArgument', { name: entityName(this.engine, entity), entity }) } });
  }

  PostEvent(args: Args, call: CallContext): void {
    const ev = args.obj('eventToPost');
    const type = ev._type;
    if (!type) throw Faults.invalidRequest('eventToPost needs its xsi:type');
    const vmRef = isXObject(ev.vm) && ev.vm.vm instanceof MoRef ? ev.vm.vm : undefined;
    if (vmRef) this.engine.require(vmRef);
    const { key: _k, chainId: _c, createdTime: _t, userName: _u, datacenter: _d, computeResource: _r, host: _h, vm: _v, _type: _x, ...rest } = ev;
    const message = typeof ev.fullFormattedMessage === 'string' ? ev.fullFormattedMessage : type;
    if (type === 'EventEx' && typeof ev.eventTypeId !== 'string') throw new VimFault('InvalidEvent', 'EventEx needs an eventTypeId.');
    postCallEvent(call, { type, message, fields: rest, eventTypeId: typeof ev.eventTypeId === 'string' ? ev.eventTypeId : undefined });
  }
}
