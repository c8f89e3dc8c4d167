import { asList, isXObject, MoRef, vim25Types, type PropType, type XObject, type XValue } from '../../core/codecs/vim25/index.ts';
import type { CallContext } from '../engine.ts';
import type { ManagedObject } from '../managed-object.ts';
import { Args } from '../soap/args.ts';
import { Faults } from '../soap/faults.ts';

/**
 * The declared type of a property path of `mo`, from the vim25 type table; InvalidProperty for a
 * path its type does not declare. Undefined (no type known) for extras the table lacks that the
 * object exposes: internal objects, and fields newer than the table (pyVmomi 6.7) that the object's
 * data holds, so vSphere 7/8 fields keep working.
 */
export function pathType(mo: ManagedObject, path: string, call: CallContext): PropType | undefined {
  const t = vim25Types().pathType(mo.type, path);
  if (t) return t;
  const dot = path.indexOf('.');
  const top = dot < 0 ? path : path.slice(0, dot);
  if (!mo.hasProperty(top)) throw Faults.invalidProperty(path);
  if (t === null && vim25Types().info(mo.type)!.props.has(top) && readPath(mo, path, call) === undefined) throw Faults.invalidProperty(path);
  return undefined;
}

/** Reads a property path ("config.hardware.device") from an object's plain data (validate it with pathType). */
export function readPath(mo: ManagedObject, path: string, call: CallContext): unknown {
  const fast = mo.pathGetter(path);
  if (fast) return fast(call);
  const dot = path.indexOf('.');
  const top = dot < 0 ? path : path.slice(0, dot);
  let v = mo.property(top, call);
  if (dot < 0) return v;
  for (const seg of path.slice(dot + 1).split('.')) {
    if (v === undefined || v === null || typeof v !== 'object' || Array.isArray(v) || v instanceof MoRef) return undefined;
    v = (v as Record<string, unknown>)[seg];
  }
  return v;
}

function refsOf(v: unknown): MoRef[] {
  if (v instanceof MoRef) return [v];
  if (Array.isArray(v)) return v.filter((x): x is MoRef => x instanceof MoRef);
  return [];
}

interface Traversal {
  name?: string;
  type: string;
  path: string;
  skip: boolean;
  selectSet: XValue[];
}

/** The objects a PropertyFilterSpec selects: each ObjectSpec's object, then its traversal specs. */
export function selectObjects(spec: XObject, call: CallContext): ManagedObject[] {
  const named = new Map<string, Traversal>();
  const parse = (v: XValue): Traversal | { ref: string } => {
    if (!isXObject(v)) throw Faults.invalidArgument('selectSet');
    const a = new Args(v);
    if (v.type === undefined && v.path === undefined) return { ref: a.str('name') };
    const t: Traversal = { name: a.optStr('name'), type: a.str('type'), path: a.str('path'), skip: a.bool('skip', false), selectSet: a.list('selectSet') };
    if (t.name) named.set(t.name, t);
    return t;
  };
  // Names can be referenced before (or outside) the spec that defines them: index them all first.
  const index = (sets: XValue[], seen: Set<XValue>) => {
    for (const s of sets) {
      if (seen.has(s)) continue;
      seen.add(s);
      const t = parse(s);
      if ('selectSet' in t) index(t.selectSet, seen);
    }
  };
  const objectSpecs = asList(spec.objectSet);
  const seen = new Set<XValue>();
  for (const os of objectSpecs) index(asList(isXObject(os) ? os.selectSet : undefined), seen);

  const out = new Map<string, ManagedObject>();
  const visited = new Map<Traversal, Set<string>>();
  const visit = (mo: ManagedObject, skip: boolean, selectSet: XValue[]) => {
    if (!skip) out.set(mo.ref.value, mo);
    for (const sel of selectSet) {
      const parsed = parse(sel);
      const t = 'ref' in parsed ? named.get(parsed.ref) : parsed;
      if (!t) throw Faults.invalidArgument('selectSet', `no TraversalSpec named ${(parsed as { ref: string }).ref}`);
      if (!mo.isA(t.type)) continue;
      pathType(mo, t.path, call);
      let seen = visited.get(t);
      if (!seen) visited.set(t, (seen = new Set()));
      for (const ref of refsOf(readPath(mo, t.path, call))) {
        if (seen.has(ref.value)) continue;
        seen.add(ref.value);
        const child = call.engine.lookup(ref);
        if (child) visit(child, t.skip, t.selectSet);
      }
    }
  };
  for (const os of objectSpecs) {
    const a = Args.of(os, 'objectSet');
    const mo = call.engine.require(a.ref('obj'));
    visit(mo, a.bool('skip', false), a.list('selectSet'));
  }
  return [...out.values()];
}

/** The property paths a filter asks of one object type, validated, with their declared types. */
export interface PathPlan {
  paths: string[];
  decls: (PropType | undefined)[];
  /** The paths joined: a cache key. */
  key: string;
}

/** Which property paths of `mo` a filter asks for, or undefined when no PropertySpec names its type. */
export function pathsFor(mo: ManagedObject, propSet: XValue[], call: CallContext): PathPlan | undefined {
  let paths: Set<string> | undefined;
  for (const ps of propSet) {
    const a = Args.of(ps, 'propSet');
    if (!mo.isA(a.str('type'))) continue;
    paths ??= new Set();
    if (a.bool('all', false)) for (const p of mo.propertyNames()) paths.add(p);
    for (const p of a.list('pathSet')) {
      if (typeof p !== 'string') throw Faults.invalidRequest('pathSet entries must be strings');
      paths.add(p);
    }
  }
  if (!paths) return undefined;
  const list = [...paths];
  return { paths: list, decls: list.map((p) => pathType(mo, p, call)), key: list.join('\n') };
}
