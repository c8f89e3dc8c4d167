import type { PropType } from './type-table.ts';

/**
 * The value model of vim25 SOAP, shared by the simulated servers and the proxy's client: plain JS
 * objects tagged with their WSDL type (`_type`), managed object references, and typed arrays. The
 * XML writer derives every `xsi:type` from these tags, so code that builds values never writes XML.
 */
export class MoRef {
  constructor(
    readonly type: string,
    readonly value: string,
  ) {}
  toString(): string {
    return `${this.type}:${this.value}`;
  }
  toJSON(): string {
    return this.toString();
  }
  equals(other: unknown): boolean {
    return other instanceof MoRef && other.type === this.type && other.value === this.value;
  }
}

/** A data object: `_type` is its WSDL type name ("VirtualDisk", "TaskInfo"...). */
export type DataObject = { _type: string } & Record<string, unknown>;

/** Tags a fresh object literal with its WSDL type (in place: callers always pass a new literal). */
export function data<T extends Record<string, unknown>>(type: string, fields: T): T & { _type: string } {
  (fields as Record<string, unknown>)._type = type;
  return fields as T & { _type: string };
}

/** A primitive with an explicit XSD type ("xsd:long"), for anyType positions where the JS type is ambiguous. */
export class Typed {
  constructor(
    readonly xsdType: string,
    readonly value: string | number | boolean,
  ) {}
  toJSON(): unknown {
    return this.value;
  }
}

/** A value in an anyType position (DynamicProperty.val, TaskInfo.result): written with xsi:type. */
export class AnyType {
  constructor(readonly value: unknown) {}
  toJSON(): unknown {
    return this.value;
  }
}

/** A value in an anyType position whose declared type is known (a property path's, from the type table). */
export class Declared {
  constructor(
    readonly value: unknown,
    readonly decl: PropType,
  ) {}
  toJSON(): unknown {
    return this.value;
  }
}

export function anyType(value: unknown): AnyType | undefined {
  return value === undefined ? undefined : new AnyType(value);
}

/** A data object already serialized (its children's XML): the writer wraps it in its element. */
export class RawXml {
  constructor(
    readonly type: string,
    /** UTF-8 bytes: large responses are assembled from buffers without re-encoding. */
    readonly inner: Buffer,
  ) {}
}

const ITEM_TYPE = Symbol('vim25.itemType');

/** Tags an array with its WSDL item type: in an anyType position it becomes `ArrayOf<itemType>`. */
export function arrayOf<T>(itemType: string, items: T[]): T[] {
  (items as T[] & { [ITEM_TYPE]?: string })[ITEM_TYPE] = itemType;
  return items;
}

export function itemTypeOf(items: readonly unknown[]): string {
  const tagged = (items as unknown[] & { [ITEM_TYPE]?: string })[ITEM_TYPE];
  if (tagged) return tagged;
  const first = items[0];
  if (first instanceof MoRef) return 'ManagedObjectReference';
  if (typeof first === 'boolean') return 'boolean';
  if (typeof first === 'number') return Number.isInteger(first) ? 'long' : 'double';
  if (first instanceof Date) return 'dateTime';
  if (first && typeof first === 'object' && '_type' in first) return String((first as DataObject)._type);
  return 'string';
}

/** What the XML reader yields: strings, references, data objects (children by name) and arrays. */
export type XValue = string | MoRef | XObject | XValue[];
export interface XObject {
  _type?: string;
  [name: string]: XValue | undefined;
}

export function isXObject(v: unknown): v is XObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof MoRef);
}

/** Repeated elements arrive as arrays, single ones as values: read both as an array. */
export function asList(v: XValue | undefined): XValue[] {
  if (v === undefined || v === '') return [];
  return Array.isArray(v) ? v : [v];
}
