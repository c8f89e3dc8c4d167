import type { Lab } from '../simulators/lab.ts';
import type { Fault, FaultInput } from '../simulators/core/faults/registry.ts';

export type { Fault, FaultInput };

/** A fault set on a lab, with its own clear(). */
export interface ActiveFault extends Fault {
  clear(): void;
}

/** Sets a fault ({ target, type, params?, remaining? }) and returns it with a clear() handle. */
export function setFault(lab: Lab, input: Omit<FaultInput, 'params'> & { params?: Record<string, unknown> }): ActiveFault {
  const f = lab.faults.set({ ...input, params: input.params ?? {} });
  return { ...f, clear: () => lab.faults.clear(f.id) };
}

/** Runs `fn` with a fault active and clears it afterwards, whatever `fn` did. */
export async function withFault<T>(lab: Lab, input: Omit<FaultInput, 'params'> & { params?: Record<string, unknown> }, fn: (fault: ActiveFault) => Promise<T>): Promise<T> {
  const fault = setFault(lab, input);
  try {
    return await fn(fault);
  } finally {
    fault.clear();
  }
}
