import { randomUUID } from 'node:crypto';

/**
 * A fault applied to a lab: `target` names a component ("vcenter", "esxi-01", "guest-sql01") or a
 * listener ("esxi-01:authd"), `type` names the fault ("latency", "cbt-reset", "kod"...). Components
 * ask the registry; nothing is cached so faults set at run time apply to the next connection or call.
 */
export interface Fault {
  id: string;
  target: string;
  type: string;
  params: Record<string, unknown>;
  /** How many times it may still fire; undefined = until cleared. */
  remaining?: number;
}

export type FaultInput = Omit<Fault, 'id'> & { id?: string };

export class FaultRegistry {
  private readonly faults = new Map<string, Fault>();
  private readonly listeners = new Set<(f: Fault, action: 'set' | 'clear') => void>();

  set(input: FaultInput): Fault {
    const fault: Fault = { ...input, params: input.params ?? {}, id: input.id ?? randomUUID().slice(0, 8) };
    this.faults.set(fault.id, fault);
    for (const l of this.listeners) l(fault, 'set');
    return fault;
  }

  clear(id?: string): void {
    const cleared = id === undefined ? [...this.faults.values()] : [this.faults.get(id)].filter((f): f is Fault => !!f);
    for (const f of cleared) {
      this.faults.delete(f.id);
      for (const l of this.listeners) l(f, 'clear');
    }
  }

  list(): Fault[] {
    return [...this.faults.values()];
  }

  onChange(listener: (f: Fault, action: 'set' | 'clear') => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * The active fault of `type` for a component (or one of its listeners), consuming one use.
   * `component:listener` targets match only that listener; bare component targets match all.
   */
  take(component: string, type: string | string[], listener?: string): Fault | undefined {
    const f = this.peek(component, type, listener);
    if (f && f.remaining !== undefined) {
      f.remaining -= 1;
      if (f.remaining <= 0) this.clear(f.id);
    }
    return f;
  }

  peek(component: string, type: string | string[], listener?: string): Fault | undefined {
    const types = Array.isArray(type) ? type : [type];
    for (const f of this.faults.values()) {
      if (!types.includes(f.type)) continue;
      if (f.target === component || f.target === '*' || (listener && f.target === `${component}:${listener}`)) return f;
    }
    return undefined;
  }
}
