import { AnyType, MoRef, RawXml, Typed, itemTypeOf, type DataObject } from './values.ts';

/**
 * Serializes vim25 values. Data objects always carry `xsi:type` (polymorphic fields such as device
 * backings need it, and SDKs accept it everywhere); primitives and references get it only in anyType
 * positions (`val` of a property, `result` of a task), where SDKs cannot infer it.
 */
const ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };

export function escapeXml(s: string): string {
  return /[&<>"]/.test(s) ? s.replace(/[&<>"]/g, (c) => ESC[c]!) : s;
}

const PRIMITIVE_ITEMS = new Set(['string', 'long', 'int', 'short', 'byte', 'boolean', 'double', 'float', 'dateTime', 'anyType']);

function xsdOfNumber(n: number): string {
  if (!Number.isInteger(n)) return 'xsd:double';
  return n >= -2147483648 && n <= 2147483647 ? 'xsd:int' : 'xsd:long';
}

function primitiveText(v: unknown): string {
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'string') return escapeXml(v);
  return String(v);
}

/** `<name>` for `value`; `anyType` says the schema cannot tell its type, so xsi:type is required. */
export function writeElement(name: string, value: unknown, anyType = false): string {
  const out: Part[] = [];
  emit(out, name, value, anyType);
  return out.map((p) => (typeof p === 'string' ? p : p.toString('utf8'))).join('');
}

type Part = string | Buffer;

/** The element as bytes: strings are joined and encoded once, pre-encoded RawXml is copied as is. */
export function writeElementBytes(name: string, value: unknown, anyType = false, prefix = '', suffix = ''): Buffer {
  const out: Part[] = [prefix];
  emit(out, name, value, anyType);
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

function emit(out: Part[], name: string, value: unknown, anyType: boolean): void {
  if (value === undefined || value === null) return;
  if (value instanceof AnyType) return emit(out, name, value.value, true);
  if (Array.isArray(value)) {
    if (!anyType) {
      for (const item of value) emit(out, name, item, false);
      return;
    }
    const item = itemTypeOf(value);
    out.push(`<${name} xsi:type="ArrayOf${item.charAt(0).toUpperCase()}${item.slice(1)}">`);
    for (const v of value) emit(out, item, v, false);
    out.push(`</${name}>`);
    return;
  }
  if (value instanceof RawXml) {
    const tags = rawTags(name, value.type);
    out.push(tags.open, value.inner, tags.close);
    return;
  }
  if (value instanceof MoRef) {
    out.push(`<${name} type="${value.type}"${anyType ? ' xsi:type="ManagedObjectReference"' : ''}>${escapeXml(value.value)}</${name}>`);
    return;
  }
  if (value instanceof Typed) {
    out.push(`<${name}${anyType ? ` xsi:type="${value.xsdType}"` : ''}>${primitiveText(value.value)}</${name}>`);
    return;
  }
  if (value instanceof Date) {
    out.push(`<${name}${anyType ? ' xsi:type="xsd:dateTime"' : ''}>${value.toISOString()}</${name}>`);
    return;
  }
  switch (typeof value) {
    case 'string':
      out.push(`<${name}${anyType ? ' xsi:type="xsd:string"' : ''}>${escapeXml(value)}</${name}>`);
      return;
    case 'boolean':
      out.push(`<${name}${anyType ? ' xsi:type="xsd:boolean"' : ''}>${value}</${name}>`);
      return;
    case 'number':
      out.push(`<${name}${anyType ? ` xsi:type="${xsdOfNumber(value)}"` : ''}>${value}</${name}>`);
      return;
    case 'object': {
      const obj = value as DataObject;
      out.push(obj._type ? `<${name} xsi:type="${obj._type}">` : `<${name}>`);
      for (const key in obj) {
        if (key !== '_type') emit(out, key, obj[key], false);
      }
      out.push(`</${name}>`);
      return;
    }
    default:
      return;
  }
}

export { PRIMITIVE_ITEMS, primitiveText };

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
