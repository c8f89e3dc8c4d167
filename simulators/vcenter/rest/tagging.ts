import { randomUUID } from 'node:crypto';
import { invalidArgument, notFound, VapiError } from './errors.ts';

export type Cardinality = 'SINGLE' | 'MULTIPLE';

export interface Category {
  id: string;
  name: string;
  description: string;
  cardinality: Cardinality;
  /** Inventory types its tags may be attached to; empty means every type. */
  associable_types: string[];
  used_by: string[];
}

export interface Tag {
  id: string;
  category_id: string;
  name: string;
  description: string;
  used_by: string[];
}

/** An inventory object as the tagging API names it: {"type":"VirtualMachine","id":"vm-101"}. */
export interface ObjectId {
  type: string;
  id: string;
}

export interface BatchResult {
  success: boolean;
  error_messages: { id: string; default_message: string; args: string[] }[];
}

const key = (o: ObjectId) => `${o.type}:${o.id}`;

function str(v: unknown, field: string, required = true): string {
  if (v === undefined && !required) return '';
  if (typeof v !== 'string') throw invalidArgument(`${field} must be a string`, [field]);
  return v;
}

function types(v: unknown, field: string): string[] {
  if (v === undefined) return [];
  if (!Array.isArray(v) || v.some((t) => typeof t !== 'string')) throw invalidArgument(`${field} must be an array of strings`, [field]);
  return [...new Set(v as string[])];
}

function cardinality(v: unknown): Cardinality {
  if (v !== 'SINGLE' && v !== 'MULTIPLE') throw invalidArgument(`cardinality must be SINGLE or MULTIPLE, not ${JSON.stringify(v)}`, ['cardinality']);
  return v;
}

export function objectId(v: unknown, field = 'object_id'): ObjectId {
  const o = v as Partial<ObjectId> | undefined;
  if (!o || typeof o !== 'object' || typeof o.type !== 'string' || typeof o.id !== 'string') {
    throw invalidArgument(`${field} must be {"type": "<vSphere type>", "id": "<managed object id>"}`, [field]);
  }
  return { type: o.type, id: o.id };
}

/**
 * The tagging service's data: categories, tags and which inventory objects carry each tag, with
 * vCenter's rules (unique names, SINGLE cardinality, associable types that only grow, cardinality
 * only SINGLE -> MULTIPLE, deleting a category deletes its tags and their associations).
 */
export class TaggingStore {
  private readonly categories = new Map<string, Category>();
  private readonly tags = new Map<string, Tag>();
  /** tag id -> attached objects by "type:id". */
  private readonly attached = new Map<string, Map<string, ObjectId>>();

  /** `exists` answers whether an inventory object is real (attaching to anything else is not_found). */
  constructor(private readonly exists: (o: ObjectId) => boolean) {}

  listCategories(): string[] {
    return [...this.categories.keys()];
  }

  category(id: string): Category {
    const c = this.categories.get(id);
    if (!c) throw notFound('Category', id);
    return c;
  }

  createCategory(spec: Record<string, unknown>): string {
    const name = str(spec.name, 'name');
    if ([...this.categories.values()].some((c) => c.name === name)) {
      throw new VapiError('already_exists', 'com.vmware.cis.tagging.category.duplicate', `Category with name ${name} already exists.`, [name]);
    }
    const id = `urn:vmomi:InventoryServiceCategory:${randomUUID()}:GLOBAL`;
    this.categories.set(id, {
      id,
      name,
      description: str(spec.description, 'description', false),
      cardinality: cardinality(spec.cardinality),
      associable_types: types(spec.associable_types, 'associable_types'),
      used_by: [],
    });
    return id;
  }

  updateCategory(id: string, spec: Record<string, unknown>): void {
    const c = this.category(id);
    const next = { ...c };
    if (spec.name !== undefined) {
      next.name = str(spec.name, 'name');
      if ([...this.categories.values()].some((o) => o.id !== id && o.name === next.name)) {
        throw new VapiError('already_exists', 'com.vmware.cis.tagging.category.duplicate', `Category with name ${next.name} already exists.`, [next.name]);
      }
    }
    if (spec.description !== undefined) next.description = str(spec.description, 'description');
    if (spec.cardinality !== undefined) {
      next.cardinality = cardinality(spec.cardinality);
      if (c.cardinality === 'MULTIPLE' && next.cardinality === 'SINGLE') throw invalidArgument('Cardinality can only be changed from SINGLE to MULTIPLE.', ['cardinality']);
    }
    if (spec.associable_types !== undefined) {
      next.associable_types = types(spec.associable_types, 'associable_types');
      if (c.associable_types.some((t) => !next.associable_types.includes(t)) || (c.associable_types.length === 0 && next.associable_types.length > 0)) {
        throw invalidArgument('Associable types can only be added to a category, never removed.', ['associable_types']);
      }
    }
    this.categories.set(id, next);
  }

  deleteCategory(id: string): void {
    this.category(id);
    for (const t of [...this.tags.values()]) if (t.category_id === id) this.deleteTag(t.id);
    this.categories.delete(id);
  }

  listTags(): string[] {
    return [...this.tags.keys()];
  }

  tagsForCategory(categoryId: string): string[] {
    this.category(categoryId);
    return [...this.tags.values()].filter((t) => t.category_id === categoryId).map((t) => t.id);
  }

  tag(id: string): Tag {
    const t = this.tags.get(id);
    if (!t) throw notFound('Tag', id);
    return t;
  }

  createTag(spec: Record<string, unknown>): string {
    const name = str(spec.name, 'name');
    const category = this.category(str(spec.category_id, 'category_id'));
    if ([...this.tags.values()].some((t) => t.category_id === category.id && t.name === name)) {
      throw new VapiError('already_exists', 'com.vmware.cis.tagging.tag.duplicate', `Tag with name ${name} already exists in category ${category.name}.`, [name]);
    }
    const id = `urn:vmomi:InventoryServiceTag:${randomUUID()}:GLOBAL`;
    this.tags.set(id, { id, category_id: category.id, name, description: str(spec.description, 'description', false), used_by: [] });
    this.attached.set(id, new Map());
    return id;
  }

  updateTag(id: string, spec: Record<string, unknown>): void {
    const t = this.tag(id);
    const next = { ...t };
    if (spec.name !== undefined) next.name = str(spec.name, 'name');
    if (spec.description !== undefined) next.description = str(spec.description, 'description');
    if ([...this.tags.values()].some((o) => o.id !== id && o.category_id === t.category_id && o.name === next.name)) {
      throw new VapiError('already_exists', 'com.vmware.cis.tagging.tag.duplicate', `Tag with name ${next.name} already exists.`, [next.name]);
    }
    this.tags.set(id, next);
  }

  deleteTag(id: string): void {
    this.tag(id);
    this.tags.delete(id);
    this.attached.delete(id);
  }

  attach(tagId: string, obj: ObjectId): void {
    const tag = this.tag(tagId);
    const category = this.category(tag.category_id);
    if (!this.exists(obj)) throw notFound(obj.type, obj.id);
    if (category.associable_types.length > 0 && !category.associable_types.includes(obj.type)) {
      throw invalidArgument(`Tag ${tag.name} of category ${category.name} cannot be attached to a ${obj.type}; the category allows ${category.associable_types.join(', ')}.`, [tagId, obj.type]);
    }
    if (category.cardinality === 'SINGLE') {
      const other = this.tagsOn(obj).find((t) => t !== tagId && this.tags.get(t)!.category_id === category.id);
      if (other) throw invalidArgument(`Category ${category.name} allows a single tag per object; ${obj.type} ${obj.id} already carries ${this.tags.get(other)!.name}.`, [tagId, obj.id]);
    }
    this.attached.get(tagId)!.set(key(obj), obj);
  }

  detach(tagId: string, obj: ObjectId): void {
    this.tag(tagId);
    if (!this.exists(obj)) throw notFound(obj.type, obj.id);
    this.attached.get(tagId)!.delete(key(obj));
  }

  attachedObjects(tagId: string): ObjectId[] {
    this.tag(tagId);
    return [...this.attached.get(tagId)!.values()];
  }

  tagsOn(obj: ObjectId): string[] {
    return [...this.attached].filter(([, objs]) => objs.has(key(obj))).map(([id]) => id);
  }

  /** Batch operations report each failure in the result instead of failing the call. */
  batch(items: (() => void)[]): BatchResult {
    const error_messages: BatchResult['error_messages'] = [];
    for (const item of items) {
      try {
        item();
      } catch (err) {
        if (!(err instanceof VapiError)) throw err;
        error_messages.push(...err.messages);
      }
    }
    return { success: error_messages.length === 0, error_messages };
  }
}
