import { asList, data, type DataObject, type XObject } from '../../core/codecs/vim25/index.ts';
import type { CallContext } from '../engine.ts';
import type { ManagedObject } from '../managed-object.ts';
import { pathsFor, readPath, selectObjects } from './read.ts';
import { propertyValue } from './retrieve.ts';

/** What a filter last reported, per object and path (as JSON, to compare cheaply). */
export type Reported = Map<string, { obj: DataObject['obj']; values: Map<string, string> }>;

/**
 * The ObjectUpdates of one filter since `last`: enter for new objects, modify for changed
 * properties, leave for objects no longer selected. Updates `last` in place.
 */
export function diffFilter(spec: XObject, last: Reported, call: CallContext): DataObject[] {
  const updates: DataObject[] = [];
  const seen = new Set<string>();
  const propSet = asList(spec.propSet);
  let objects: ManagedObject[];
  try {
    objects = selectObjects(spec, call);
  } catch {
    // The filter's root object is gone (a finished task was reaped): report its objects as left.
    objects = [];
  }
  for (const mo of objects) {
    const plan = pathsFor(mo, propSet, call);
    const paths = plan?.paths ?? [];
    const key = mo.ref.value;
    seen.add(key);
    const prev = last.get(key);
    const values = new Map<string, string>();
    const changes: DataObject[] = [];
    for (let i = 0; i < paths.length; i++) {
      const p = paths[i]!;
      const v = readPath(mo, p, call);
      const json = v === undefined ? '' : JSON.stringify(v);
      values.set(p, json);
      if (!prev || prev.values.get(p) !== json) {
        if (!prev && v === undefined) continue;
        changes.push(data('PropertyChange', { name: p, op: 'assign', val: v === undefined ? undefined : propertyValue(v, plan!.decls[i]) }));
      }
    }
    last.set(key, { obj: mo.ref, values });
    if (!prev) updates.push(data('ObjectUpdate', { kind: 'enter', obj: mo.ref, changeSet: changes }));
    else if (changes.length) updates.push(data('ObjectUpdate', { kind: 'modify', obj: mo.ref, changeSet: changes }));
  }
  for (const [key, entry] of last) {
    if (seen.has(key)) continue;
    last.delete(key);
    updates.push(data('ObjectUpdate', { kind: 'leave', obj: entry.obj, changeSet: [] }));
  }
  return updates;
}
