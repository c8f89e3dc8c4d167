import { arrayOf, MoRef } from '../../core/codecs/vim25/index.ts';
import type { CallContext, SoapEngine } from '../engine.ts';
import { ManagedObject } from '../managed-object.ts';
import type { Args } from '../soap/args.ts';
import { Faults } from '../soap/faults.ts';

/** A ContainerView: `view` is computed on every read, so it follows the inventory. */
export class ContainerView extends ManagedObject {
  constructor(
    engine: SoapEngine,
    id: string,
    readonly container: MoRef,
    readonly types: string[],
    readonly recursive: boolean,
    private readonly owner: ViewManager,
  ) {
    super(engine, 'ContainerView', id, ['ManagedObjectView', 'View']);
    this.expose({
      view: () => arrayOf('ManagedObjectReference', this.view()),
      container: () => container,
      type: () => arrayOf('string', types),
      recursive: () => recursive,
    });
  }

  view(): MoRef[] {
    const out: MoRef[] = [];
    const seen = new Set<string>();
    const root = this.engine.lookup(this.container);
    if (!root) return out;
    const walk = (refs: MoRef[], depth: number) => {
      for (const ref of refs) {
        if (seen.has(ref.value)) continue;
        seen.add(ref.value);
        const mo = this.engine.lookup(ref);
        if (!mo) continue;
        if (!this.types.length || this.types.some((t) => mo.isA(t))) out.push(ref);
        if (this.recursive && depth < 32) walk(mo.children(), depth + 1);
      }
    };
    walk(root.children(), 0);
    return out;
  }

  DestroyView(_args: Args, call: CallContext): void {
    this.owner.views.delete(this.ref.value);
    call.session?.owned.delete(this.ref.value);
    this.engine.unregister(this.ref);
  }
}

/** A ListView: an explicit list of objects; ModifyListView/ResetListView return the ones that do not exist. */
export class ListView extends ManagedObject {
  private items: MoRef[] = [];

  constructor(engine: SoapEngine, id: string, private readonly owner: ViewManager) {
    super(engine, 'ListView', id, ['ManagedObjectView', 'View']);
    this.expose({ view: () => arrayOf('ManagedObjectReference', this.items.filter((r) => this.engine.lookup(r))) });
  }

  /** Adds the existing objects of `refs`; returns the unresolvable ones (vCenter's answer). */
  add(refs: MoRef[]): MoRef[] {
    const missing: MoRef[] = [];
    for (const r of refs) {
      if (!this.engine.lookup(r)) missing.push(r);
      else if (!this.items.some((x) => x.equals(r))) this.items.push(r);
    }
    this.engine.changed();
    return missing;
  }

  ModifyListView(args: Args): MoRef[] {
    const remove = refList(args, 'remove');
    this.items = this.items.filter((x) => !remove.some((r) => r.equals(x)));
    return arrayOf('ManagedObjectReference', this.add(refList(args, 'add')));
  }

  ResetListView(args: Args): MoRef[] {
    this.items = [];
    return arrayOf('ManagedObjectReference', this.add(refList(args, 'obj')));
  }

  DestroyView(_args: Args, call: CallContext): void {
    this.owner.views.delete(this.ref.value);
    call.session?.owned.delete(this.ref.value);
    this.engine.unregister(this.ref);
  }
}

function refList(args: Args, name: string): MoRef[] {
  return args.list(name).map((r) => {
    if (!(r instanceof MoRef)) throw Faults.invalidRequest(`${name} must be a list of ManagedObjectReference`);
    return r;
  });
}

export class ViewManager extends ManagedObject {
  readonly views = new Set<string>();

  constructor(engine: SoapEngine, id: string) {
    super(engine, 'ViewManager', id);
    this.expose({ viewList: () => [...this.views].map((v) => this.engine.objects.get(v)?.ref).filter((r): r is MoRef => !!r) });
  }

  CreateContainerView(args: Args, call: CallContext): MoRef {
    const container = args.ref('container');
    this.engine.require(container);
    const types = args.list('type').map((t) => {
      if (typeof t !== 'string') throw Faults.invalidRequest('type must be a list of type names');
      return t;
    });
    const id = `session[${call.session!.key.slice(0, 8)}]${this.engine.nextId('view')}`;
    const view = this.engine.register(new ContainerView(this.engine, id, container, types, args.bool('recursive'), this));
    this.views.add(id);
    call.session!.owned.add(id);
    return view.ref;
  }

  CreateListView(args: Args, call: CallContext): MoRef {
    const id = `session[${call.session!.key.slice(0, 8)}]${this.engine.nextId('view')}`;
    const view = new ListView(this.engine, id, this);
    // vCenter ignores objects that do not exist when creating the view.
    view.add(refList(args, 'obj'));
    this.engine.register(view);
    this.views.add(id);
    call.session!.owned.add(id);
    return view.ref;
  }
}
