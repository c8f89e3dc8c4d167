import { readFileSync } from 'node:fs';

/**
 * The vim25 type table (every data object, managed object, enum and property with its declared
 * type), generated offline from pyVmomi's type info by type-table/generate.py. The serializer reads
 * declared types from it, so plain data gets the right xsi:type without per-property code.
 * Loaded on first use (about 330 KB of JSON); each type's properties are parsed when first asked for.
 */

/** A declared type: a WSDL type name ("VirtualMachinePowerState", "long", "anyType"...), maybe an array or a reference. */
export interface PropType {
  /** WSDL name of the (item) type; for references the managed object type ("HostSystem"). */
  readonly type: string;
  readonly array: boolean;
  /** A ManagedObjectReference (to `type`). */
  readonly ref: boolean;
  /** Position in the declaring type's property order (base properties first). */
  readonly index: number;
  /** What `type` is (managed for references; undefined when the table lacks it). */
  readonly kind: TypeKind | undefined;
  /** The xsi:type of one value of this type in an anyType position ("xsd:long", "VirtualMachinePowerState", "ManagedObjectReference"). */
  readonly xsi: string;
}

export type TypeKind = 'data' | 'managed' | 'enum' | 'primitive';

interface Raw {
  source: string;
  data: Record<string, string>;
  managed: Record<string, string>;
  enum: Record<string, string>;
}

export interface TypeInfo {
  readonly name: string;
  readonly kind: 'data' | 'managed';
  readonly base: string | undefined;
  /** All properties, inherited first, in WSDL order. */
  readonly props: ReadonlyMap<string, PropType>;
}

/** XML Schema types vim25 uses, by their WSDL name (written "xsd:<name>"). */
export const PRIMITIVES: ReadonlySet<string> = new Set(['string', 'boolean', 'byte', 'short', 'int', 'long', 'float', 'double', 'dateTime', 'base64Binary', 'anyURI', 'anyType']);

function parseProps(spec: string, inherited: ReadonlyMap<string, PropType> | undefined, kindOf: (name: string) => TypeKind | undefined): Map<string, PropType> {
  const props = new Map<string, PropType>(inherited);
  if (!spec) return props;
  for (const item of spec.split(';')) {
    const colon = item.indexOf(':');
    let t = item.slice(colon + 1);
    const array = t.endsWith('[]');
    if (array) t = t.slice(0, -2);
    const ref = t.charCodeAt(0) === 64; /* @ */
    const type = ref ? t.slice(1) : t;
    const xsi = ref ? 'ManagedObjectReference' : PRIMITIVES.has(type) ? `xsd:${type}` : type;
    props.set(item.slice(0, colon), { type, array, ref, index: props.size, kind: ref ? 'managed' : kindOf(type), xsi });
  }
  return props;
}

export class TypeTable {
  private readonly infos = new Map<string, TypeInfo | null>();
  private readonly ancestors = new Map<string, ReadonlySet<string>>();
  private readonly paths = new Map<string, Map<string, PropType | null>>();
  private readonly enumValueSets = new Map<string, ReadonlySet<string>>();

  constructor(private readonly raw: Raw) {}

  get source(): string {
    return this.raw.source;
  }

  kind(name: string): TypeKind | undefined {
    if (PRIMITIVES.has(name)) return 'primitive';
    if (name in this.raw.enum) return 'enum';
    if (name in this.raw.data) return 'data';
    if (name in this.raw.managed) return 'managed';
    return undefined;
  }

  /** A data object or managed object type with all its properties; undefined for types the table lacks. */
  info(name: string): TypeInfo | undefined {
    let info = this.infos.get(name);
    if (info !== undefined) return info ?? undefined;
    const kind = Object.hasOwn(this.raw.data, name) ? 'data' : Object.hasOwn(this.raw.managed, name) ? 'managed' : undefined;
    info = null;
    if (kind) {
      const spec = (kind === 'data' ? this.raw.data : this.raw.managed)[name]!;
      const bar = spec.indexOf('|');
      const base = bar > 0 ? spec.slice(0, bar) : undefined;
      info = { name, kind, base, props: parseProps(bar < 0 ? '' : spec.slice(bar + 1), base ? this.info(base)?.props : undefined, (n) => this.kind(n)) };
    }
    this.infos.set(name, info);
    return info ?? undefined;
  }

  /** `name` and every type it derives from. */
  lineage(name: string): ReadonlySet<string> {
    let set = this.ancestors.get(name);
    if (!set) {
      const s = new Set<string>();
      for (let t: string | undefined = name; t && !s.has(t); t = this.info(t)?.base) s.add(t);
      this.ancestors.set(name, (set = s));
    }
    return set;
  }

  isA(name: string, ancestor: string): boolean {
    return this.lineage(name).has(ancestor);
  }

  isEnum(name: string): boolean {
    return Object.hasOwn(this.raw.enum, name);
  }

  enumValues(name: string): ReadonlySet<string> | undefined {
    if (!this.isEnum(name)) return undefined;
    let set = this.enumValueSets.get(name);
    if (!set) this.enumValueSets.set(name, (set = new Set(this.raw.enum[name]!.split(','))));
    return set;
  }

  /**
   * The declared type of a property path of managed object type `moType` ("runtime.powerState"):
   * undefined when the table does not know `moType`, null when the path is not valid for it
   * (a segment the type does not declare, or a step below an array or a reference).
   */
  pathType(moType: string, path: string): PropType | null | undefined {
    let byPath = this.paths.get(moType);
    if (!byPath) {
      if (!this.info(moType)) return undefined;
      this.paths.set(moType, (byPath = new Map()));
    }
    let t = byPath.get(path);
    if (t === undefined) byPath.set(path, (t = this.walk(moType, path)));
    return t;
  }

  private walk(moType: string, path: string): PropType | null {
    let owner = moType;
    let t: PropType | undefined;
    for (const seg of path.split('.')) {
      if (t && (t.array || t.ref)) return null;
      t = this.info(owner)?.props.get(seg);
      if (!t) return null;
      owner = t.type;
    }
    return t ?? null;
  }
}

let table: TypeTable | undefined;

/** The shared, immutable table (loaded once per process, on first use). */
export function vim25Types(): TypeTable {
  table ??= new TypeTable(JSON.parse(readFileSync(new URL('./type-table/vim25-types.json', import.meta.url), 'utf8')) as Raw);
  return table;
}
