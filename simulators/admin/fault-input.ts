import type { CoreLab } from '../core/lab.ts';
import type { FaultInput } from '../core/faults/registry.ts';
import { DATAGRAM_FAULTS, FaultParamsError, isConnectionFault, validateConnectionFault } from '../core/net/conn-faults.ts';
import { TLS_FAULTS } from '../core/net/tls-faults.ts';
import { badRequest, notFound } from './errors.ts';

const FAULT_TYPE = /^[a-z0-9]+(-[a-z0-9]+)*$/;
const FAULT_ID = /^[A-Za-z0-9_.-]{1,64}$/;

export interface FaultCheckOptions {
  /**
   * Protocol fault types the lab's components understand. When given, any other type (besides the
   * connection and TLS faults) is a 400; when absent, any kebab-case name is accepted as a protocol fault.
   */
  protocolFaults?: readonly string[];
}

/**
 * Checks a `POST /faults` body against the running lab: the target names a component (or one of its
 * listeners) that exists, the type is known, and connection-fault params are valid for it.
 */
export function checkFaultInput(lab: CoreLab<unknown>, body: Record<string, unknown>, opts: FaultCheckOptions): FaultInput {
  const { target, type, params = {}, remaining, id } = body;
  for (const field of Object.keys(body)) {
    if (!['target', 'type', 'params', 'remaining', 'id'].includes(field)) throw badRequest(`unknown field "${field}" (a fault has target, type, params, remaining, id)`);
  }
  if (typeof target !== 'string' || target === '') throw badRequest('target is required: "component" or "component:listener" (or "*" for every component)');
  if (typeof type !== 'string' || !FAULT_TYPE.test(type)) throw badRequest(`type must be a kebab-case fault name, got ${JSON.stringify(type)}`);
  if (typeof params !== 'object' || params === null || Array.isArray(params)) throw badRequest('params must be a JSON object');
  if (remaining !== undefined && (typeof remaining !== 'number' || !Number.isInteger(remaining) || remaining < 1)) {
    throw badRequest(`remaining must be a whole number of at least 1 (uses: connections for connection faults), got ${JSON.stringify(remaining)}`);
  }
  if (id !== undefined && (typeof id !== 'string' || !FAULT_ID.test(id))) throw badRequest('id must be 1-64 characters of letters, digits, "_", "." or "-"');

  const transports = targetTransports(lab, target);
  const p = params as Record<string, unknown>;
  if (isConnectionFault(type)) {
    try {
      validateConnectionFault(type, p);
    } catch (err) {
      if (err instanceof FaultParamsError) throw badRequest(err.message, 'bad_params');
      throw err;
    }
    if (!DATAGRAM_FAULTS.includes(type) && transports && transports.size > 0 && !transports.has('tcp')) {
      throw badRequest(`${type} acts on TCP connections and ${target} has only UDP listeners (use refuse or blackhole)`, 'bad_params');
    }
  } else if (!(TLS_FAULTS as readonly string[]).includes(type) && opts.protocolFaults && !opts.protocolFaults.includes(type)) {
    throw badRequest(`unknown fault type "${type}"`, 'unknown_fault_type');
  }
  return { target, type, params: p, remaining: remaining as number | undefined, id: id as string | undefined };
}

/** The transports the target listens on (undefined for "*"); 404 when the component or listener does not exist. */
function targetTransports(lab: CoreLab<unknown>, target: string): Set<string> | undefined {
  if (target === '*') return undefined;
  const [component, listener, extra] = target.split(':');
  if (extra !== undefined || !component) throw badRequest(`target must be "component" or "component:listener", got "${target}"`);
  const ctx = lab.component(component);
  if (!ctx) throw notFound(`no component "${component}" in this lab (GET /topology lists them)`, 'unknown_target');
  const endpoints = ctx.endpoints().filter((e) => listener === undefined || e.listener === listener);
  if (listener !== undefined && endpoints.length === 0) {
    const known = ctx.endpoints().map((e) => e.listener);
    throw notFound(`component "${component}" has no listener "${listener}" (it has: ${known.join(', ') || 'none'})`, 'unknown_target');
  }
  return new Set(endpoints.map((e) => e.transport));
}
