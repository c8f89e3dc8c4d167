import { randomBytes } from 'node:crypto';
import { arrayOf, data, isXObject, type DataObject, type RawXml, type XObject } from '../../core/codecs/vim25/index.ts';
import type { CallContext, SoapEngine } from '../engine.ts';
import { ManagedObject } from '../managed-object.ts';
import { Args } from '../soap/args.ts';
import { Faults } from '../soap/faults.ts';
import { retrieveCached, retrieveContents, retrieveResult } from '../collector/retrieve.ts';
import { diffFilter } from '../collector/updates.ts';
import { PropertyFilter } from './property-filter.ts';

/** Longest a WaitForUpdates call without maxWaitSeconds blocks before answering "no change". */
const MAX_WAIT_MS = 10 * 60_000;

function specs(args: Args): XObject[] {
  const list = args.list('specSet');
  if (!list.length) throw Faults.invalidArgument('specSet');
  return list.map((s) => {
    if (!isXObject(s)) throw Faults.invalidRequest('specSet must hold PropertyFilterSpec objects');
    return s;
  });
}

/** The PropertyCollector: retrieval (paged) and filters with versioned updates, per session. */
export class PropertyCollector extends ManagedObject {
  private readonly pages = new Map<string, { session: string; rest: unknown[]; max: number }>();

  constructor(engine: SoapEngine, id: string) {
    super(engine, 'PropertyCollector', id);
    this.expose({
      filter: (call) => [...(call.session?.collector(this.ref.value).filters ?? [])].map((id) => this.engine.objects.get(id)?.ref).filter(Boolean),
    });
  }

  RetrieveProperties(args: Args, call: CallContext): unknown[] {
    return retrieveCached(specs(args), call);
  }

  RetrievePropertiesEx(args: Args, call: CallContext): DataObject | RawXml | undefined {
    const objects = retrieveCached(specs(args), call);
    const options = args.optObj('options');
    const max = options ? new Args(options).optInt('maxObjects') : undefined;
    return this.page(objects, max && max > 0 ? max : undefined, call);
  }

  ContinueRetrievePropertiesEx(args: Args, call: CallContext): DataObject | RawXml | undefined {
    const token = args.str('token');
    const p = this.pages.get(token);
    if (!p || p.session !== call.session?.key) throw Faults.invalidArgument('token');
    this.pages.delete(token);
    // Each page holds at most the first call's maxObjects, as vCenter's do; the token is good once.
    return this.page(p.rest, p.max, call);
  }

  CancelRetrievePropertiesEx(args: Args): void {
    this.pages.delete(args.str('token'));
  }

  private page(objects: unknown[], max: number | undefined, call: CallContext): DataObject | RawXml | undefined {
    if (!objects.length) return undefined;
    if (!max || objects.length <= max) return retrieveResult(objects);
    const token = randomBytes(8).toString('hex');
    this.pages.set(token, { session: call.session!.key, rest: objects.slice(max), max });
    return retrieveResult(arrayOf('ObjectContent', objects.slice(0, max)), token);
  }

  CreateFilter(args: Args, call: CallContext) {
    const spec = args.obj('spec');
    // Validate now, as vCenter does: a bad spec fails CreateFilter, not the later wait.
    retrieveContents([spec], call);
    const session = call.session!;
    const f = this.engine.register(new PropertyFilter(this.engine, session, this.ref.value, spec, args.bool('partialUpdates', false)));
    session.collector(this.ref.value).filters.add(f.ref.value);
    session.owned.add(f.ref.value);
    return f.ref;
  }

  CreatePropertyCollector(_args: Args, call: CallContext) {
    const pc = this.engine.register(new PropertyCollector(this.engine, `session[${call.session!.key.slice(0, 8)}]${this.engine.nextId('pc')}`));
    call.session!.owned.add(pc.ref.value);
    return pc.ref;
  }

  DestroyPropertyCollector(_args: Args, call: CallContext): void {
    if (!call.session?.owned.has(this.ref.value)) return;
    for (const f of call.session.collector(this.ref.value).filters) this.engine.objects.delete(f);
    call.session.collectors.delete(this.ref.value);
    this.engine.unregister(this.ref);
  }

  async WaitForUpdatesEx(args: Args, call: CallContext): Promise<DataObject | undefined> {
    const options = args.optObj('options');
    const wait = options ? new Args(options).optInt('maxWaitSeconds') : undefined;
    return this.waitForUpdates(args.optStr('version'), wait === undefined ? MAX_WAIT_MS : wait * 1000, call);
  }

  async WaitForUpdates(args: Args, call: CallContext): Promise<DataObject | undefined> {
    return this.waitForUpdates(args.optStr('version'), MAX_WAIT_MS, call);
  }

  async CheckForUpdates(args: Args, call: CallContext): Promise<DataObject | undefined> {
    return this.waitForUpdates(args.optStr('version'), 0, call);
  }

  CancelWaitForUpdates(): void {
    this.engine.changed();
  }

  private async waitForUpdates(version: string | undefined, waitMs: number, call: CallContext): Promise<DataObject | undefined> {
    const state = call.session!.collector(this.ref.value);
    const filters = () => [...state.filters].map((id) => this.engine.objects.get(id)).filter((f): f is PropertyFilter => f instanceof PropertyFilter);
    if (version !== undefined && version !== '' && !/^\d+$/.test(version)) throw Faults.invalidArgument('version');
    // An empty version asks for everything from the start.
    if (!version) for (const f of filters()) f.reported.clear();
    const deadline = Date.now() + waitMs;
    for (;;) {
      const filterSet: DataObject[] = [];
      for (const f of filters()) {
        const objectSet = diffFilter(f.spec, f.reported, call);
        if (objectSet.length) filterSet.push(data('PropertyFilterUpdate', { filter: f.ref, objectSet }));
      }
      if (filterSet.length) return data('UpdateSet', { version: String(++state.version), filterSet, truncated: false });
      if (Date.now() >= deadline || this.engine.isStopped) return undefined;
      await this.engine.waitForChange(deadline - Date.now());
    }
  }
}
