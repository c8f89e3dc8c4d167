import { arrayOf, asList, data, MoRef, RawXml, writeElement, type DataObject, type XObject } from '../../core/codecs/vim25/index.ts';
import type { CallContext } from '../engine.ts';
import type { ManagedObject } from '../managed-object.ts';
import { pathsFor, readPath, selectObjects } from './read.ts';

interface Rendered {
  paths: string;
  values: unknown[];
  xml: Buffer;
}

/**
 * The XML of an ObjectContent is a pure function of the object, the paths and their values, so an
 * object whose (primitive) values did not change reuses its last XML: listings of thousands of VMs
 * cost a property read per VM, not a serialization.
 */
const rendered = new WeakMap<ManagedObject, Rendered>();

function same(a: unknown, b: unknown): boolean {
  if (a === b) return typeof a !== 'object' || a === null;
  return a instanceof MoRef && a.equals(b);
}

function objectContent(mo: ManagedObject, paths: string[], key: string, call: CallContext): RawXml {
  const values = new Array<unknown>(paths.length);
  for (let i = 0; i < paths.length; i++) values[i] = readPath(mo, paths[i]!, call);
  const last = rendered.get(mo);
  if (last && last.paths === key) {
    let hit = true;
    for (let i = 0; i < values.length && hit; i++) hit = same(last.values[i], values[i]);
    if (hit) return new RawXml('ObjectContent', last.xml);
  }
  const parts = [writeElement('obj', mo.ref)];
  for (let i = 0; i < paths.length; i++) {
    if (values[i] === undefined) continue;
    parts.push('<propSet xsi:type="DynamicProperty"><name>', paths[i]!, '</name>', writeElement('val', values[i], true), '</propSet>');
  }
  // Kept as bytes: a response of thousands of objects is then a buffer concat, not a re-encoding.
  const xml = Buffer.from(parts.join(''), 'utf8');
  rendered.set(mo, { paths: key, values, xml });
  return new RawXml('ObjectContent', xml);
}

/** ObjectContent for every object a filter spec selects, with the properties asked of its type. */
export function retrieveContents(specs: XObject[], call: CallContext): RawXml[] {
  const out: RawXml[] = [];
  for (const spec of specs) {
    const propSet = asList(spec.propSet);
    const byType = new Map<string, { paths: string[]; key: string } | undefined>();
    for (const mo of selectObjects(spec, call)) {
      let entry = byType.get(mo.type);
      if (!byType.has(mo.type)) {
        const paths = pathsFor(mo, propSet);
        byType.set(mo.type, (entry = paths && { paths, key: paths.join('\n') }));
      }
      if (!entry) continue;
      out.push(objectContent(mo, entry.paths, entry.key, call));
    }
  }
  return arrayOf('ObjectContent', out);
}

export function retrieveResult(objects: unknown[], token?: string): DataObject {
  return data('RetrieveResult', { token, objects });
}
