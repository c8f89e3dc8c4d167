import type { MoRef } from '../../core/codecs/vim25/index.ts';
import type { CallContext, SoapEngine } from '../engine.ts';
import { ManagedObject } from '../managed-object.ts';
import type { Args } from '../soap/args.ts';
import { Faults } from '../soap/faults.ts';

/** Largest page a collector keeps (vCenter's limit for maxCount / SetCollectorPageSize). */
export const MAX_PAGE = 1000;
const DEFAULT_PAGE = 10;

/** Collectors one manager keeps at most (TaskManager/EventManager.maxCollector). */
export const MAX_COLLECTORS = 32;

/**
 * Registers a new collector owned by the caller's session (a logout destroys it); more than
 * MAX_COLLECTORS live ones is InvalidState, as vCenter answers.
 */
export function registerCollector(call: CallContext, owner: Set<string>, prefix: string, make: (id: string) => ManagedObject): MoRef {
  const engine = call.engine;
  for (const id of owner) if (!engine.objects.has(id)) owner.delete(id);
  if (owner.size >= MAX_COLLECTORS) throw Faults.invalidState(`Too many ${prefix}s to create`);
  const id = `session[${call.session!.key.slice(0, 8)}]${engine.nextId(prefix)}`;
  const c = engine.register(make(id));
  owner.add(id);
  call.session!.owned.add(id);
  return c.ref;
}

export function pageSize(n: number | undefined): number {
  if (n === undefined || n === 0) return DEFAULT_PAGE;
  if (n < 0 || n > MAX_PAGE) throw Faults.invalidArgument('maxCount', `must be between 1 and ${MAX_PAGE}`);
  return n;
}

export interface CollectorSource<T> {
  /** Matching items, oldest first, each with an increasing `seq`. */
  items: () => T[];
  toData: (item: T) => unknown;
  /** The filter as the client sent it (EventFilterSpec / TaskFilterSpec), for the `filter` property. */
  filter: unknown;
  size: number;
  /** The manager's set of live collector ids. */
  owner: Set<string>;
}

/**
 * HistoryCollector (events and tasks): a live, filtered, chronological view of its source. The
 * scrollable position is a cursor between items: ReadNext reads newer items (oldest first),
 * ReadPrevious older ones (newest first). `latestPage` holds the newest `size` items, newest first;
 * a fresh or reset collector's cursor sits just before that page, as vSphere documents for ResetCollector.
 */
export abstract class HistoryCollector<T extends { seq: number }> extends ManagedObject {
  private size: number;
  private cursor = 0;

  constructor(engine: SoapEngine, type: string, id: string, private readonly source: CollectorSource<T>) {
    super(engine, type, id, ['HistoryCollector']);
    this.size = source.size;
    this.expose({ latestPage: () => this.latest().map(source.toData), filter: () => source.filter });
    this.reset();
  }

  private latest(): T[] {
    return this.source.items().slice(-this.size).reverse();
  }

  private reset(): void {
    const page = this.latest();
    const oldest = page[page.length - 1];
    this.cursor = oldest ? oldest.seq - 1 : (this.source.items().at(-1)?.seq ?? 0);
  }

  protected readNext(args: Args): unknown[] {
    const n = pageSize(args.int('maxCount'));
    const next = this.source.items().filter((x) => x.seq > this.cursor).slice(0, n);
    if (next.length) this.cursor = next[next.length - 1]!.seq;
    return next.map(this.source.toData);
  }

  protected readPrevious(args: Args): unknown[] {
    const n = pageSize(args.int('maxCount'));
    const prev = this.source.items().filter((x) => x.seq <= this.cursor).slice(-n).reverse();
    if (prev.length) this.cursor = prev[prev.length - 1]!.seq - 1;
    return prev.map(this.source.toData);
  }

  RewindCollector(): void {
    this.cursor = 0;
  }

  ResetCollector(): void {
    this.reset();
  }

  SetCollectorPageSize(args: Args): void {
    this.size = pageSize(args.int('maxCount'));
    this.engine.changed();
  }

  DestroyCollector(_args: Args, call: CallContext): void {
    this.source.owner.delete(this.ref.value);
    call.session?.owned.delete(this.ref.value);
    this.engine.unregister(this.ref);
  }
}
