import { arrayOf, asList, data, Declared, MoRef, RawXml, writeElement, type DataObject, type PropType, type XObject } from '../../core/codecs/vim25/index.ts';
import type { CallContext } from '../engine.ts';
import type { ManagedObject } from '../managed-object.ts';
import { VimFault } from '../soap/faults.ts';
import { pathsFor, readPath, selectObjects, type PathPlan } from './read.ts';
import { ResultCache } from './result-cache.ts';

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

/** A property value in an anyType position, typed by its declared type when the type table knows it. */
export function propertyValue(value: unknown, decl: PropType | undefined): unknown {
  return decl ? new Declared(value, decl) : value;
}

/**
 * Reads every path; a property whose getter faults (currentSession without a session) is reported
 * in missingSet with its fault, as vCenter does, instead of failing the whole call.
 */
function objectContent(mo: ManagedObject, plan: PathPlan, call: CallContext, seen?: Seen): RawXml {
  const { paths, decls } = plan;
  const values = new Array<unknown>(paths.length);
  let missing: string[] | undefined;
  for (let i = 0; i < paths.length; i++) {
    try {
      values[i] = readPath(mo, paths[i]!, call);
    } catch (err) {
      if (!(err instanceof VimFault)) throw err;
      missing ??= [];
      missing.push(writeElement('missingSet', data('MissingProperty', { path: paths[i], fault: err.toLocalized() })));
    }
  }
  const last = rendered.get(mo);
  if (!missing && last && last.paths === plan.key) {
    let hit = true;
    for (let i = 0; i < values.length && hit; i++) hit = same(last.values[i], values[i]);
    if (hit) return new RawXml('ObjectContent', last.xml);
  }
  const parts = [writeElement('obj', mo.ref)];
  for (let i = 0; i < paths.length; i++) {
    if (values[i] === undefined) continue;
    parts.push('<propSet xsi:type="DynamicProperty"><name>', paths[i]!, '</name>', writeElement('val', propertyValue(values[i], decls[i]), true), '</propSet>');
  }
  if (missing) parts.push(...missing);
  if (missing && seen) seen.missing = true;
  // Kept as bytes: a response of thousands of objects is then a buffer concat, not a re-encoding.
  const xml = Buffer.from(parts.join(''), 'utf8');
  if (!missing) rendered.set(mo, { paths: plan.key, values, xml });
  return new RawXml('ObjectContent', xml);
}

/** What a retrieval went through, for the result cache: every selected object, and whether a property faulted. */
interface Seen {
  objects: ManagedObject[];
  missing: boolean;
}

/** ObjectContent for every object a filter spec selects, with the properties asked of its type. */
export function retrieveContents(specs: XObject[], call: CallContext, seen?: Seen): RawXml[] {
  const out: RawXml[] = [];
  for (const spec of specs) {
    const propSet = asList(spec.propSet);
    const byType = new Map<string, PathPlan | undefined>();
    for (const mo of selectObjects(spec, call)) {
      seen?.objects.push(mo);
      let plan = byType.get(mo.type);
      if (!byType.has(mo.type)) byType.set(mo.type, (plan = pathsFor(mo, propSet, call)));
      if (!plan) continue;
      out.push(objectContent(mo, plan, call, seen));
    }
  }
  return arrayOf('ObjectContent', out);
}

const caches = new WeakMap<object, ResultCache>();
/** Results that came from the cache (so are never mutated), and their whole RetrieveResult as bytes once asked. */
const cached = new WeakMap<RawXml[], RawXml | undefined>();
const OBJECTS_OPEN = Buffer.from('<objects xsi:type="ObjectContent">');
const OBJECTS_CLOSE = Buffer.from('</objects>');

/** retrieveContents through the endpoint's result cache (RetrieveProperties and RetrievePropertiesEx). */
export function retrieveCached(specs: XObject[], call: CallContext): RawXml[] {
  let cache = caches.get(call.engine);
  if (!cache) caches.set(call.engine, (cache = new ResultCache(call.engine)));
  const key = cache.key(specs);
  if (key === undefined) return retrieveContents(specs, call);
  const hit = cache.get(key);
  if (hit) {
    if (!cached.has(hit)) cached.set(hit, undefined);
    return hit;
  }
  const at = cache.stamp();
  const seen: Seen = { objects: [], missing: false };
  const result = retrieveContents(specs, call, seen);
  if (!seen.missing) cache.put(key, at, seen.objects, result);
  return result;
}

export function retrieveResult(objects: unknown[], token?: string): DataObject | RawXml {
  if (token === undefined && cached.has(objects as RawXml[])) return wholeResult(objects as RawXml[]);
  return data('RetrieveResult', { token, objects });
}

/**
 * A repeated listing's RetrieveResult as one pre-written element: the response is then the
 * envelope around one buffer. The same bytes the writer makes from the objects (RawXml in a
 * declared ObjectContent position is written with this xsi:type, see xml-write.ts rawTags).
 */
function wholeResult(objects: RawXml[]): RawXml {
  let whole = cached.get(objects);
  if (!whole) {
    const parts: Buffer[] = [];
    for (const o of objects) parts.push(OBJECTS_OPEN, o.inner, OBJECTS_CLOSE);
    cached.set(objects, (whole = new RawXml('RetrieveResult', Buffer.concat(parts))));
  }
  return whole;
}
