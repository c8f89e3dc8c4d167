import { anyType, arrayOf, asList, data, type DataObject, type XObject } from '../../core/codecs/vim25/index.ts';
import type { CallContext } from '../engine.ts';
import { pathsFor, readPath, selectObjects } from './read.ts';

/** ObjectContent for every object a filter spec selects, with the properties asked of its type. */
export function retrieveContents(specs: XObject[], call: CallContext): DataObject[] {
  const out: DataObject[] = [];
  for (const spec of specs) {
    const propSet = asList(spec.propSet);
    const byType = new Map<string, string[] | undefined>();
    for (const mo of selectObjects(spec, call)) {
      let paths = byType.get(mo.type);
      if (!byType.has(mo.type)) byType.set(mo.type, (paths = pathsFor(mo, propSet)));
      if (!paths) continue;
      const props: DataObject[] = [];
      for (const p of paths) {
        const v = readPath(mo, p, call);
        if (v !== undefined) props.push({ _type: 'DynamicProperty', name: p, val: anyType(v) });
      }
      out.push({ _type: 'ObjectContent', obj: mo.ref, propSet: props });
    }
  }
  return arrayOf('ObjectContent', out);
}

export function retrieveResult(objects: DataObject[], token?: string): DataObject {
  return data('RetrieveResult', { token, objects });
}
