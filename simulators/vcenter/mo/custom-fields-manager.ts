import { data, type DataObject, type MoRef } from '../../core/codecs/vim25/index.ts';
import type { SoapEngine } from '../engine.ts';
import { ManagedObject } from '../managed-object.ts';
import type { Args } from '../soap/args.ts';
import { Faults, VimFault } from '../soap/faults.ts';

interface FieldDef {
  key: number;
  name: string;
  /** Managed object type the field applies to; undefined = every ManagedEntity. */
  moType?: string;
}

/** Custom attributes of one endpoint: definitions and the values set on entities. */
export class CustomFields {
  readonly defs = new Map<number, FieldDef>();
  /** entity "Type:value" -> field key -> value */
  readonly values = new Map<string, Map<number, string>>();
  private next = 100;

  add(name: string, moType?: string): FieldDef {
    const d = { key: this.next++, name, moType };
    this.defs.set(d.key, d);
    return d;
  }

  appliesTo(d: FieldDef, mo: ManagedObject): boolean {
    return !d.moType || mo.isA(d.moType);
  }

  /** ManagedEntity.availableField. */
  available(mo: ManagedObject): DataObject[] {
    return [...this.defs.values()].filter((d) => this.appliesTo(d, mo)).map(fieldDef);
  }

  /** ManagedEntity.customValue / ExtensibleManagedObject.value. */
  customValue(ref: MoRef): DataObject[] {
    const vals = this.values.get(`${ref.type}:${ref.value}`);
    if (!vals) return [];
    return [...vals].filter(([k]) => this.defs.has(k)).map(([key, value]) => data('CustomFieldStringValue', { key, value }));
  }

  set(mo: ManagedObject, key: number, value: string): void {
    const d = this.defs.get(key);
    if (!d) throw Faults.invalidArgument('key', `no custom field ${key}`);
    if (!this.appliesTo(d, mo)) throw Faults.invalidArgument('entity', `field ${d.name} applies to ${d.moType} only`);
    const id = `${mo.ref.type}:${mo.ref.value}`;
    let vals = this.values.get(id);
    if (!vals) this.values.set(id, (vals = new Map()));
    if (value === '') vals.delete(key);
    else vals.set(key, value);
  }
}

function fieldDef(d: FieldDef): DataObject {
  return data('CustomFieldDef', { key: d.key, name: d.name, type: 'string', managedObjectType: d.moType, fieldDefPrivileges: undefined, fieldInstancePrivileges: undefined });
}

const stores = new WeakMap<SoapEngine, CustomFields>();
export function customFieldsOf(engine: SoapEngine): CustomFields {
  let s = stores.get(engine);
  if (!s) stores.set(engine, (s = new CustomFields()));
  return s;
}

/** CustomFieldsManager: AddCustomFieldDef, Rename/Remove, SetField; entities show them as availableField/customValue. */
export class CustomFieldsManager extends ManagedObject {
  constructor(engine: SoapEngine, id: string) {
    super(engine, 'CustomFieldsManager', id);
    this.expose({ field: () => [...customFieldsOf(engine).defs.values()].map(fieldDef) });
  }

  private get store(): CustomFields {
    return customFieldsOf(this.engine);
  }

  AddCustomFieldDef(args: Args): DataObject {
    const name = args.str('name');
    const moType = args.optStr('moType') || undefined;
    if (!name.trim()) throw Faults.invalidArgument('name');
    if ([...this.store.defs.values()].some((d) => d.name === name && d.moType === moType)) {
      throw new VimFault('DuplicateName', `The name '${name}' already exists.`, { name, object: this.ref });
    }
    const d = this.store.add(name, moType);
    this.engine.changed();
    return fieldDef(d);
  }

  RemoveCustomFieldDef(args: Args): void {
    const key = args.int('key');
    if (!this.store.defs.delete(key)) throw Faults.invalidArgument('key', `no custom field ${key}`);
    this.engine.changed();
  }

  RenameCustomFieldDef(args: Args): void {
    const d = this.store.defs.get(args.int('key'));
    if (!d) throw Faults.invalidArgument('key');
    const name = args.str('name');
    if ([...this.store.defs.values()].some((x) => x !== d && x.name === name && x.moType === d.moType)) {
      throw new VimFault('DuplicateName', `The name '${name}' already exists.`, { name, object: this.ref });
    }
    d.name = name;
    this.engine.changed();
  }

  SetField(args: Args): void {
    const mo = this.engine.require(args.ref('entity'));
    this.store.set(mo, args.int('key'), args.optStr('value') ?? '');
    this.engine.changed();
  }
}
