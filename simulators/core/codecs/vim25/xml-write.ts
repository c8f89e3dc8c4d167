import { AnyType, Declared, MoRef, RawXml, Typed, itemTypeOf, type DataObject } from './values.ts';
import { PRIMITIVES, vim25Types as types, type PropType } from './type-table.ts';

/**
 * Serializes vim25 values, typed by the vim25 type table (docs/vcenter.md, "Wire"). Data objects
 * always carry `xsi:type` (polymorphic fields such as device backings need it, and SDKs accept it
 * everywhere) and list their fields in WSDL order; primitives, enums and references get it only in
 * anyType positions (a property's `val`, TaskInfo.result), typed by the declared type of the position.
 */
const ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };

export function escapeXml(s: string): string {
  return /[&<>"]/.test(s) ? s.replace(/[&<>"]/g, (c) => ESC[c]!) : s;
}

function xsdOfNumber(n: number): string {
  if (!Number.isInteger(n)) return 'xsd:double';
  return n >= -2147483648 && n <= 2147483647 ? 'xsd:int' : 'xsd:long';
}

/** `<name>` for `value`; `anyType` says the schema cannot tell its type, so xsi:type is required. */
export function writeElement(name: string, value: unknown, anyType = false): string {
  const out: Part[] = [];
  emit(out, name, value, undefined, anyType);
  return out.map((p) => (typeof p === 'string' ? p : p.toString('utf8'))).join('');
}

type Part = string | Buffer;

/** The element as bytes: strings are joined and encoded once, pre-encoded RawXml is copied as is. */
export function writeElementBytes(name: string, value: unknown, anyType = false, prefix = '', suffix = ''): Buffer {
  const out: Part[] = [prefix];
  emit(out, name, value, undefined, anyType);
  out.push(suffix);
  // One allocation for the whole response. Tags repeat (one pair per object of a listing), so short
  // strings are encoded once per call; the cached bytes of RawXml are copied as they are.
  const tags = new Map<string, Buffer>();
  const parts: Buffer[] = [];
  let total = 0;
  for (const p of out) {
    let b: Buffer | undefined;
    if (typeof p !== 'string') b = p;
    else if (p.length > 128) b = Buffer.from(p, 'utf8');
    else if (!(b = tags.get(p))) tags.set(p, (b = Buffer.from(p, 'utf8')));
    parts.push(b);
    total += b.length;
  }
  const buf = Buffer.allocUnsafe(total);
  let at = 0;
  for (const b of parts) {
    buf.set(b, at);
    at += b.length;
  }
  return buf;
}

/** Encoded open/close tags of pre-rendered elements, by element name then type: a listing of thousands repeats one pair. */
const rawTagCache = new Map<string, Map<string, { open: Buffer; close: Buffer }>>();

function rawTags(name: string, type: string): { open: Buffer; close: Buffer } {
  let byType = rawTagCache.get(name);
  if (!byType) rawTagCache.set(name, (byType = new Map()));
  let tags = byType.get(type);
  if (!tags) byType.set(type, (tags = { open: Buffer.from(`<${name} xsi:type="${type}">`, 'utf8'), close: Buffer.from(`</${name}>`, 'utf8') }));
  return tags;
}

/** The xsi:type of a primitive or enum in an anyType position: its declared type's, else `guess` (from the JS value). */
function scalarXsi(decl: PropType | undefined, guess: string): string {
  return decl && decl.kind !== 'data' && !decl.ref && decl.type !== 'anyType' ? decl.xsi : guess;
}

const primitiveDecls = new Map<string, PropType>();

function primitiveDecl(type: string): PropType {
  let d = primitiveDecls.get(type);
  if (!d) primitiveDecls.set(type, (d = { type, array: false, ref: false, index: 0, kind: 'primitive', xsi: `xsd:${type}` }));
  return d;
}

const itemDecls = new WeakMap<PropType, PropType>();

/** The declared type of one item of an array property. */
function itemOf(t: PropType): PropType {
  let item = itemDecls.get(t);
  if (!item) itemDecls.set(t, (item = { ...t, array: false }));
  return item;
}

/**
 * One element. `decl` is the declared type of the position (from the type table), `anyPos` says the
 * schema types the position as anyType (a property's `val`, TaskInfo.result, OptionValue.value), so
 * the element carries xsi:type: the declared type where the table knows it, else the JS value's.
 */
function emit(out: Part[], name: string, value: unknown, decl: PropType | undefined, anyPos: boolean): void {
  // Primitives first: they are most of what is written.
  switch (typeof value) {
    case 'string':
      out.push(anyPos ? `<${name} xsi:type="${scalarXsi(decl, 'xsd:string')}">${escapeXml(value)}</${name}>` : `<${name}>${escapeXml(value)}</${name}>`);
      return;
    case 'number': {
      const text = decl?.type === 'dateTime' ? new Date(value).toISOString() : String(value);
      out.push(anyPos ? `<${name} xsi:type="${scalarXsi(decl, xsdOfNumber(value))}">${text}</${name}>` : `<${name}>${text}</${name}>`);
      return;
    }
    case 'boolean':
      out.push(anyPos ? `<${name} xsi:type="${scalarXsi(decl, 'xsd:boolean')}">${value}</${name}>` : `<${name}>${value}</${name}>`);
      return;
    case 'object':
      if (value === null) return;
      break;
    default:
      return;
  }
  if (value instanceof MoRef) {
    out.push(`<${name} type="${value.type}"${anyPos ? ' xsi:type="ManagedObjectReference"' : ''}>${escapeXml(value.value)}</${name}>`);
    return;
  }
  if (Array.isArray(value)) return emitArray(out, name, value, decl, anyPos);
  if (value instanceof Date) {
    out.push(anyPos ? `<${name} xsi:type="xsd:dateTime">${value.toISOString()}</${name}>` : `<${name}>${value.toISOString()}</${name}>`);
    return;
  }
  if (value instanceof Declared) return emit(out, name, value.value, value.decl, true);
  if (value instanceof AnyType) return emit(out, name, value.value, undefined, true);
  if (value instanceof RawXml) {
    const tags = rawTags(name, value.type);
    out.push(tags.open, value.inner, tags.close);
    return;
  }
  if (value instanceof Typed) {
    const text = typeof value.value === 'string' ? escapeXml(value.value) : String(value.value);
    out.push(`<${name}${anyPos ? ` xsi:type="${value.xsdType}"` : ''}>${text}</${name}>`);
    return;
  }
  if (value instanceof Uint8Array) {
    // byte[] (HostConfigInfo.certificate) is one signed xsd:byte element per byte; base64Binary is text.
    if (decl?.array && decl.type === 'byte') return emitArray(out, name, Array.from(value, (b) => (b << 24) >> 24), decl, anyPos);
    const text = Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
    out.push(`<${name}${anyPos ? ' xsi:type="xsd:base64Binary"' : ''}>${text}</${name}>`);
    return;
  }
  emitObject(out, name, value as DataObject, decl && decl.kind === 'data' ? decl : undefined);
}

function emitArray(out: Part[], name: string, value: unknown[], decl: PropType | undefined, anyPos: boolean): void {
  const item = decl?.array && decl.type !== 'anyType' ? itemOf(decl) : undefined;
  if (!anyPos) {
    // A repeated field: items of an anyType[] field still carry their own xsi:type.
    const itemsAny = decl?.type === 'anyType';
    for (const v of value) emit(out, name, v, item, itemsAny);
    return;
  }
  // anyType position: ArrayOfX, then every item as <X xsi:type="..."> (vCenter's form; C and Go clients require it).
  // A declared anyType[] is ArrayOfAnyType whatever its items are (vCenter's form); only undeclared arrays are named by their items.
  const itemName = item ? (item.ref ? 'ManagedObjectReference' : item.type) : decl?.array ? 'anyType' : itemTypeOf(value);
  // Undeclared arrays (internal objects): items of a primitive array share its type, so ArrayOfLong holds xsd:long.
  const itemDecl = item ?? (PRIMITIVES.has(itemName) ? primitiveDecl(itemName) : undefined);
  out.push(`<${name} xsi:type="ArrayOf${itemName.charAt(0).toUpperCase()}${itemName.slice(1)}">`);
  for (const v of value) emit(out, itemName, v, itemDecl, true);
  out.push(`</${name}>`);
}

function emitObject(out: Part[], name: string, obj: DataObject, declType: PropType | undefined): void {
  const type = obj._type ?? declType?.type;
  out.push(type ? `<${name} xsi:type="${type}">` : `<${name}>`);
  const props = type ? types().info(type)?.props : undefined;
  if (!props) {
    for (const key in obj) if (key !== '_type') emit(out, key, obj[key], undefined, false);
    out.push(`</${name}>`);
    return;
  }
  // Fields in WSDL order (base type's first), as schema-validating clients (.NET, JAX-WS) expect;
  // unknown ones last. Literals are nearly always in that order: emit as they come, redo sorted if not.
  const start = out.length;
  let last = -1;
  for (const key in obj) {
    if (key === '_type') continue;
    const p = props.get(key);
    if (p === undefined) last = Infinity;
    else if (p.index < last) {
      out.length = start;
      emitSorted(out, obj, props);
      break;
    } else last = p.index;
    emit(out, key, obj[key], p, p !== undefined && p.type === 'anyType' && !p.array);
  }
  out.push(`</${name}>`);
}

function emitSorted(out: Part[], obj: DataObject, props: ReadonlyMap<string, PropType>): void {
  const keys = Object.keys(obj).sort((a, b) => (props.get(a)?.index ?? Infinity) - (props.get(b)?.index ?? Infinity));
  for (const key of keys) {
    if (key === '_type') continue;
    const p = props.get(key);
    emit(out, key, obj[key], p, p !== undefined && p.type === 'anyType' && !p.array);
  }
}

export const SOAP_ENVELOPE_OPEN =
  '<?xml version="1.0" encoding="UTF-8"?>\n' +
  '<soapenv:Envelope xmlns:soapenc="http://schemas.xmlsoap.org/soap/encoding/" xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n<soapenv:Body>\n';
export const SOAP_ENVELOPE_CLOSE = '\n</soapenv:Body>\n</soapenv:Envelope>';

/** A method response: several `returnval` elements for an array result, none for void. */
export function responseEnvelope(method: string, result: unknown): string {
  return responseEnvelopeBytes(method, result).toString('utf8');
}

export function responseEnvelopeBytes(method: string, result: unknown): Buffer {
  return writeElementBytes('returnval', result, false, `${SOAP_ENVELOPE_OPEN}<${method}Response xmlns="urn:vim25">`, `</${method}Response>${SOAP_ENVELOPE_CLOSE}`);
}

/**
 * The same bytes as responseEnvelopeBytes, as parts to write in order: a large pre-written result
 * (a cached listing) is sent as it is instead of being copied into a new buffer per response.
 */
export function responseEnvelopeParts(method: string, result: unknown): Buffer[] {
  if (!(result instanceof RawXml) || result.inner.length < 64 * 1024) return [responseEnvelopeBytes(method, result)];
  const tags = rawTags('returnval', result.type);
  return [Buffer.from(`${SOAP_ENVELOPE_OPEN}<${method}Response xmlns="urn:vim25">`, 'utf8'), tags.open, result.inner, tags.close, Buffer.from(`</${method}Response>${SOAP_ENVELOPE_CLOSE}`, 'utf8')];
}

/** A request: `_this` first, then the arguments in the order given (the WSDL order for real servers). */
export function requestEnvelope(method: string, self: MoRef, args: Record<string, unknown> = {}): string {
  let s = `${SOAP_ENVELOPE_OPEN}<${method} xmlns="urn:vim25">${writeElement('_this', self)}`;
  for (const [k, v] of Object.entries(args)) s += writeElement(k, v);
  return `${s}</${method}>${SOAP_ENVELOPE_CLOSE}`;
}

/** A SOAP 1.1 fault with the vim fault in `<detail>`, as vCenter writes it (`<XFault xsi:type="X">`). */
export function faultEnvelope(faultType: string, message: string, props: Record<string, unknown> = {}, code = 'ServerFaultCode'): string {
  let detail = '';
  for (const [k, v] of Object.entries(props)) detail += writeElement(k, v);
  return (
    `${SOAP_ENVELOPE_OPEN}<soapenv:Fault><faultcode>${code}</faultcode><faultstring>${escapeXml(message)}</faultstring>` +
    `<detail><${faultType}Fault xmlns="urn:vim25" xsi:type="${faultType}">${detail}</${faultType}Fault></detail></soapenv:Fault>${SOAP_ENVELOPE_CLOSE}`
  );
}
