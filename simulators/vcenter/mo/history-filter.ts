import { asList, MoRef, type XObject } from '../../core/codecs/vim25/index.ts';
import type { CallContext, SoapEngine } from '../engine.ts';
import { Args } from '../soap/args.ts';
import { Faults } from '../soap/faults.ts';

/** The parent chain of `ref` ("Folder:group-v3", "Datacenter:datacenter-1", ...). */
function ancestors(engine: SoapEngine, ref: MoRef): string[] {
  const out: string[] = [];
  let cur: unknown = ref;
  for (let i = 0; i < 16 && cur instanceof MoRef; i++) {
    const mo = engine.lookup(cur);
    if (!mo || !mo.hasProperty('parent')) break;
    cur = mo.property('parent', undefined as unknown as CallContext);
    if (cur instanceof MoRef) out.push(`${cur.type}:${cur.value}`);
  }
  return out;
}

/**
 * EventFilterSpec.entity / TaskFilterSpec.entity as a predicate over the entities an item is about:
 * `self` matches the entity itself (the root folder matches everything), `children` what lies below
 * it, `all` both. An unknown entity is ManagedObjectNotFound, an unknown recursion InvalidArgument.
 */
export function entityPredicate(engine: SoapEngine, spec: Args, field: string): ((refs: MoRef[]) => boolean) | undefined {
  const entity = spec.optObj('entity');
  if (!entity) return undefined;
  const en = Args.of(entity, `${field}.entity`);
  const target = en.ref('entity');
  engine.require(target);
  const recursion = en.optStr('recursion') ?? 'self';
  if (!['self', 'children', 'all'].includes(recursion)) throw Faults.invalidArgument(`${field}.entity.recursion`);
  const key = `${target.type}:${target.value}`;
  const isRoot = target.equals(engine.layout.rootFolder);
  return (refs) => {
    const self = isRoot || refs.some((r) => r.equals(target));
    if (recursion === 'self') return self;
    const below = refs.some((r) => ancestors(engine, r).includes(key));
    return recursion === 'children' ? below : self || below;
  };
}

/** `time.beginTime` / `time.endTime` as a range test; unparseable times are InvalidArgument. */
export function timePredicate(spec: Args, field: string): ((t: Date | undefined) => boolean) | undefined {
  const time = spec.optObj('time');
  if (!time) return undefined;
  const t = new Args(time);
  const at = (name: string) => {
    const s = t.optStr(name);
    if (s === undefined) return undefined;
    const ms = Date.parse(s);
    if (Number.isNaN(ms)) throw Faults.invalidArgument(`${field}.time.${name}`);
    return ms;
  };
  const begin = at('beginTime');
  const end = at('endTime');
  return (d) => !!d && (begin === undefined || d.getTime() >= begin) && (end === undefined || d.getTime() <= end);
}

export function stringList(v: XObject[string]): string[] {
  return asList(v).filter((x): x is string => typeof x === 'string');
}

/** `userName.userList` (case-insensitive); empty means everyone. */
export function userPredicate(spec: Args): (user: string) => boolean {
  const u = spec.optObj('userName');
  const users = u ? stringList(u.userList).map((x) => x.toLowerCase()) : [];
  return (user) => !users.length || users.includes(user.toLowerCase());
}
