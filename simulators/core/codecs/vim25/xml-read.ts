import { XMLParser } from 'fast-xml-parser';
import { MoRef, type XObject, type XValue } from './values.ts';

/** Input that must never reach the parser: DTDs are how XXE and entity-expansion attacks start. */
const FORBIDDEN = /<!DOCTYPE|<!ENTITY/i;

export class XmlRejected extends Error {
  constructor(
    message: string,
    readonly reason: 'dtd' | 'malformed' | 'not-soap',
  ) {
    super(message);
  }
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  // Built-in entities (&lt; &amp;...) only; DTD-declared entities never get here.
  processEntities: true,
  htmlEntities: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
});

function local(name: string): string {
  const i = name.indexOf(':');
  return i < 0 ? name : name.slice(i + 1);
}

/** fast-xml-parser's tree to vim25 values: `type=` makes a reference, `xsi:type="ArrayOf..."` an array. */
export function toXValue(node: unknown): XValue {
  if (node === null || node === undefined) return '';
  if (typeof node !== 'object') return String(node);
  const n = node as Record<string, unknown>;
  let xsiType: string | undefined;
  let refType: string | undefined;
  let text: string | undefined;
  const children: [string, unknown][] = [];
  for (const key in n) {
    if (key === '#text') text = String(n[key]);
    else if (key.charCodeAt(0) === 64 /* @ */) {
      const attr = key.slice(1);
      if (attr === 'type') refType = String(n[key]);
      else if (local(attr) === 'type') xsiType = local(String(n[key]));
    } else children.push([local(key), n[key]]);
  }
  if (children.length === 0) {
    if (refType !== undefined) return new MoRef(refType, text ?? '');
    if (xsiType && !xsiType.startsWith('ArrayOf') && text === undefined && !isPrimitiveType(xsiType)) return { _type: xsiType };
    if (xsiType?.startsWith('ArrayOf')) return [];
    return text ?? '';
  }
  if (xsiType?.startsWith('ArrayOf')) {
    const out: XValue[] = [];
    for (const [, v] of children) {
      if (Array.isArray(v)) for (const item of v) out.push(toXValue(item));
      else out.push(toXValue(v));
    }
    return out;
  }
  const obj: XObject = {};
  if (xsiType) obj._type = xsiType;
  for (const [name, v] of children) obj[name] = Array.isArray(v) ? v.map(toXValue) : toXValue(v);
  return obj;
}

function isPrimitiveType(t: string): boolean {
  return ['string', 'int', 'long', 'short', 'byte', 'boolean', 'double', 'float', 'dateTime', 'base64Binary', 'anyType'].includes(t);
}

export interface SoapMessage {
  /** First element of the Body: the method name for a request, "<Method>Response" or "Fault" for a reply. */
  name: string;
  body: XObject;
}

/** Parses a SOAP envelope, refusing DTDs and anything that is not one. */
export function parseSoap(xml: string): SoapMessage {
  if (FORBIDDEN.test(xml)) throw new XmlRejected('DTDs and entity declarations are not allowed', 'dtd');
  let tree: Record<string, unknown>;
  try {
    tree = parser.parse(xml, true) as Record<string, unknown>;
  } catch (err) {
    throw new XmlRejected(`malformed XML: ${(err as Error).message.split('\n')[0]}`, 'malformed');
  }
  const envKey = Object.keys(tree).find((k) => local(k) === 'Envelope');
  const env = envKey ? (tree[envKey] as Record<string, unknown>) : undefined;
  const bodyKey = env && typeof env === 'object' ? Object.keys(env).find((k) => local(k) === 'Body') : undefined;
  const body = bodyKey ? (env![bodyKey] as Record<string, unknown>) : undefined;
  const first = body && typeof body === 'object' ? Object.keys(body).find((k) => !k.startsWith('@') && k !== '#text') : undefined;
  if (!first) throw new XmlRejected('not a SOAP envelope with a body element', 'not-soap');
  const value = toXValue(body![first]);
  return { name: local(first), body: typeof value === 'object' && !Array.isArray(value) && !(value instanceof MoRef) ? value : {} };
}
