import { asList, isXObject, MoRef, type XObject, type XValue } from '../../../simulators/core/codecs/vim25/index.ts';

/** Reading the untyped answers of the wire as the types the WSDL promises; mistakes become errors. */
export function obj(v: XValue | undefined, what = 'value'): XObject {
  if (!isXObject(v)) throw new Error(`expected a data object for ${what}`);
  return v;
}

export function ref(v: XValue | undefined, what = 'reference'): MoRef {
  if (!(v instanceof MoRef)) throw new Error(`expected a managed object reference for ${what}`);
  return v;
}

export function str(v: XValue | undefined): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

export function num(v: XValue | undefined): number | undefined {
  return typeof v === 'string' && v !== '' ? Number(v) : undefined;
}

export function bool(v: XValue | undefined): boolean | undefined {
  return v === 'true' ? true : v === 'false' ? false : undefined;
}

export function list(v: XValue | undefined): XValue[] {
  return asList(v);
}

/** A property path ("config.hardware.device") below a data object. */
export function at(v: XValue | undefined, path: string): XValue | undefined {
  let cur = v;
  for (const seg of path.split('.')) {
    if (!isXObject(cur)) return undefined;
    cur = cur[seg];
  }
  return cur;
}
