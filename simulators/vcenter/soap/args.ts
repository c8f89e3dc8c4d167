import { asList, isXObject, MoRef, type XObject, type XValue } from '../../core/codecs/vim25/index.ts';
import { Faults } from './faults.ts';

/**
 * Typed access to a request's arguments: each accessor either returns the value in the WSDL type or
 * throws InvalidRequest, so a wrong type becomes a fault instead of a crash.
 */
export class Args {
  constructor(readonly raw: XObject) {}

  has(name: string): boolean {
    const v = this.raw[name];
    return v !== undefined && v !== '';
  }

  ref(name: string, type?: string): MoRef {
    const v = this.optRef(name, type);
    if (!v) throw Faults.invalidRequest(`missing required argument ${name}`);
    return v;
  }

  optRef(name: string, type?: string): MoRef | undefined {
    const v = this.raw[name];
    if (v === undefined || v === '') return undefined;
    if (!(v instanceof MoRef)) throw Faults.invalidRequest(`argument ${name} must be a ManagedObjectReference`);
    if (type && v.type !== type) throw Faults.invalidArgument(name, `expected a ${type}, got ${v.type}`);
    return v;
  }

  str(name: string): string {
    const v = this.optStr(name);
    if (v === undefined) throw Faults.invalidRequest(`missing required argument ${name}`);
    return v;
  }

  optStr(name: string): string | undefined {
    return scalar(this.raw[name], name);
  }

  int(name: string): number {
    const v = this.optInt(name);
    if (v === undefined) throw Faults.invalidRequest(`missing required argument ${name}`);
    return v;
  }

  optInt(name: string): number | undefined {
    return toInt(this.raw[name], name);
  }

  bool(name: string, fallback?: boolean): boolean {
    const v = toBool(this.raw[name], name);
    if (v === undefined) {
      if (fallback === undefined) throw Faults.invalidRequest(`missing required argument ${name}`);
      return fallback;
    }
    return v;
  }

  obj(name: string): XObject {
    const v = this.optObj(name);
    if (!v) throw Faults.invalidRequest(`missing required argument ${name}`);
    return v;
  }

  optObj(name: string): XObject | undefined {
    const v = this.raw[name];
    if (v === undefined || v === '') return undefined;
    if (!isXObject(v)) throw Faults.invalidRequest(`argument ${name} must be a data object`);
    return v;
  }

  list(name: string): XValue[] {
    return asList(this.raw[name]);
  }

  /** Nested data objects read with the same checks. */
  static of(v: XValue | undefined, name: string): Args {
    if (!isXObject(v)) throw Faults.invalidRequest(`${name} must be a data object`);
    return new Args(v);
  }
}

function scalar(v: XValue | undefined, name: string): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw Faults.invalidRequest(`argument ${name} must be a simple value`);
  return v;
}

export function toInt(v: XValue | undefined, name: string): number | undefined {
  const s = scalar(v, name);
  if (s === undefined || s === '') return undefined;
  if (!/^-?\d+$/.test(s)) throw Faults.invalidRequest(`argument ${name} must be an integer, got "${s.slice(0, 40)}"`);
  return Number(s);
}

export function toBool(v: XValue | undefined, name: string): boolean | undefined {
  const s = scalar(v, name);
  if (s === undefined || s === '') return undefined;
  if (s === 'true' || s === '1') return true;
  if (s === 'false' || s === '0') return false;
  throw Faults.invalidRequest(`argument ${name} must be a boolean, got "${s.slice(0, 40)}"`);
}
