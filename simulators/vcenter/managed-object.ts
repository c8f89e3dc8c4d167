import { MoRef, vim25Types } from '../core/codecs/vim25/index.ts';
import type { Args } from './soap/args.ts';
import type { CallContext, SoapEngine } from './engine.ts';

/** The few vim25 operations named with a lower-case first letter. */
const LOWER_CASE_OPERATIONS = new Set(['setCustomValue']);

export type Getter = (call: CallContext) => unknown;
export type SoapMethod = (args: Args, call: CallContext) => unknown;

/**
 * Base of every managed object: a reference, its vSphere properties as getters over plain data (the
 * property collector reads any path below them), and SOAP operations as methods named exactly like
 * the operation (an upper-case first letter marks them; lower-case methods are never callable).
 */
export abstract class ManagedObject {
  readonly ref: MoRef;
  private readonly getters = new Map<string, Getter>();
  /** Getters for whole property paths ("runtime.powerState") that skip building the parent object. */
  private readonly paths = new Map<string, Getter>();

  constructor(
    readonly engine: SoapEngine,
    type: string,
    value: string,
    /** Supertypes for PropertySpec / TraversalSpec matching ("ManagedEntity"). */
    readonly supertypes: readonly string[] = [],
  ) {
    this.ref = new MoRef(type, value);
  }

  get type(): string {
    return this.ref.type;
  }

  isA(type: string): boolean {
    return type === this.ref.type || this.supertypes.includes(type) || type === 'ManagedObject' || vim25Types().isA(this.ref.type, type);
  }

  protected expose(getters: Record<string, Getter>): void {
    for (const [k, g] of Object.entries(getters)) this.getters.set(k, g);
  }

  /** Must return exactly what walking the full property would: a shortcut for hot paths, not a new value. */
  protected exposePaths(getters: Record<string, Getter>): void {
    for (const [k, g] of Object.entries(getters)) this.paths.set(k, g);
  }

  pathGetter(path: string): Getter | undefined {
    return this.paths.get(path);
  }

  /** Every property the vim25 type table declares for this type is valid (unset ones read as undefined), and so is any exposed extra. */
  hasProperty(name: string): boolean {
    return this.getters.has(name) || !!vim25Types().info(this.type)?.props.has(name);
  }

  propertyNames(): string[] {
    const declared = vim25Types().info(this.type)?.props.keys() ?? [];
    return [...new Set([...declared, ...this.getters.keys()])];
  }

  /** Top-level property; undefined when unset or not modelled. Unknown names are the caller's InvalidProperty. */
  property(name: string, call: CallContext): unknown {
    return this.getters.get(name)?.(call);
  }

  /** The SOAP operation `name`, if this object has one. */
  method(name: string): SoapMethod | undefined {
    if (!/^[A-Z]/.test(name) && !LOWER_CASE_OPERATIONS.has(name)) return undefined;
    const fn = (this as unknown as Record<string, unknown>)[name];
    return typeof fn === 'function' ? (fn as SoapMethod) : undefined;
  }

  /** False once the world object behind it is gone (a destroyed VM, a removed snapshot). */
  alive(): boolean {
    return true;
  }

  /** Managed objects below this one for container views ("recursive" follows them). */
  children(): MoRef[] {
    return [];
  }
}
