import { AnyType, MoRef, Typed, itemTypeOf, type DataObject } from './values.ts';

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
  if (value === undefined || value === null) return '';
  if (value instanceof AnyType) return writeElement(name, value.value, true);
  if (Array.isArray(value)) {
    if (!anyType) {
      let s = '';
      for (const item of value) s += writeElement(name, item, false);
      return s;
    }
    const item = itemTypeOf(value);
    const arrayType = `ArrayOf${item.charAt(0).toUpperCase()}${item.slice(1)}`;
    let s = `<${name} xsi:type="${arrayType}">`;
    for (const v of value) s += writeElement(item, v, false);
    return `${s}</${name}>`;
  }
  if (value instanceof MoRef) {
    return `<${name} type="${value.type}"${anyType ? ' xsi:type="ManagedObjectReference"' : ''}>${escapeXml(value.value)}</${name}>`;
  }
  if (value instanceof Typed) {
    return `<${name}${anyType ? ` xsi:type="${value.xsdType}"` : ''}>${primitiveText(value.value)}</${name}>`;
  }
  if (value instanceof Date) {
    return `<${name}${anyType ? ' xsi:type="xsd:dateTime"' : ''}>${value.toISOString()}</${name}>`;
  }
  switch (typeof value) {
    case 'string':
      return `<${name}${anyType ? ' xsi:type="xsd:string"' : ''}>${escapeXml(value)}</${name}>`;
    case 'boolean':
      return `<${name}${anyType ? ' xsi:type="xsd:boolean"' : ''}>${value}</${name}>`;
    case 'number':
      return `<${name}${anyType ? ` xsi:type="${xsdOfNumber(value)}"` : ''}>${value}</${name}>`;
    case 'object':
      return writeDataObject(name, value as DataObject);
    default:
      return '';
  }
}

function writeDataObject(name: string, obj: DataObject): string {
  let s = obj._type ? `<${name} xsi:type="${obj._type}">` : `<${name}>`;
  for (const key in obj) {
    if (key === '_type') continue;
    s += writeElement(key, obj[key], false);
  }
  return `${s}</${name}>`;
}

export { PRIMITIVE_ITEMS, primitiveText };

export const SOAP_ENVELOPE_OPEN =
  '<?xml version="1.0" encoding="UTF-8"?>\n' +
  '<soapenv:Envelope xmlns:soapenc="http://schemas.xmlsoap.org/soap/encoding/" xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n<soapenv:Body>\n';
export const SOAP_ENVELOPE_CLOSE = '\n</soapenv:Body>\n</soapenv:Envelope>';

/** A method response: several `returnval` elements for an array result, none for void. */
export function responseEnvelope(method: string, result: unknown): string {
  return `${SOAP_ENVELOPE_OPEN}<${method}Response xmlns="urn:vim25">${writeElement('returnval', result)}</${method}Response>${SOAP_ENVELOPE_CLOSE}`;
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
