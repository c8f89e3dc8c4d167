import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Fault } from '../faults/registry.ts';
import type { TraceKind } from '../types.ts';
import { FaultedStream } from './faults/faulted-stream.ts';
import { FaultParamsError, type TransformFault } from './faults/stage.ts';
import { onlyFields } from './faults/params.ts';
import { latency } from './faults/latency.ts';
import { bandwidth } from './faults/bandwidth.ts';
import { resetAfter } from './faults/reset-after.ts';
import { slice } from './faults/slice.ts';

export { FaultParamsError } from './faults/stage.ts';

/** Connection-layer fault types, applied to the raw byte stream of any TCP listener. */
export const CONNECTION_FAULTS = ['refuse', 'blackhole', 'latency', 'bandwidth', 'reset-after', 'slice'] as const;
export type ConnectionFaultType = (typeof CONNECTION_FAULTS)[number];

/** The connection-layer faults a UDP listener honours (it has no stream to transform). */
export const DATAGRAM_FAULTS: readonly ConnectionFaultType[] = ['refuse', 'blackhole'];

/** How a fault reports on the connection it acts on (ConnContext.trace). */
export type FaultTrace = (kind: TraceKind, summary: string) => void;

interface ConnectionFaultDef {
  parse(params: Record<string, unknown>): unknown;
  /** Returns the stream to speak on, or null when the fault took the connection. */
  apply(socket: Socket, params: unknown, trace: FaultTrace): Duplex | null;
}

const takesConnection = (type: string, act: (socket: Socket) => void): ConnectionFaultDef => ({
  parse: (p) => onlyFields(type, p, []),
  apply: (socket) => {
    act(socket);
    return null;
  },
});

const transforming = <P>(t: TransformFault<P>): ConnectionFaultDef => ({
  parse: (p) => t.parse(p),
  apply: (socket, params, trace) => {
    const p = params as P;
    const factory = t.stages(p, { reset: () => socket.resetAndDestroy(), note: (s) => trace('fault', s) });
    return new FaultedStream(socket, factory, t.direction(p));
  },
});

/** The static table of built-in connection faults; each transform lives in its own file under faults/. */
const FAULTS: Readonly<Record<ConnectionFaultType, ConnectionFaultDef>> = {
  // refuse: an RST as soon as the connection is accepted (the closest a listening port gets to "refused").
  refuse: takesConnection('refuse', (socket) => socket.resetAndDestroy()),
  // blackhole: accepted, then silence; only the client's own timeout ends it (or the lab stopping).
  blackhole: takesConnection('blackhole', (socket) => {
    socket.pause();
    socket.on('error', () => {});
  }),
  latency: transforming(latency),
  bandwidth: transforming(bandwidth),
  'reset-after': transforming(resetAfter),
  slice: transforming(slice),
};

export function isConnectionFault(type: string): type is ConnectionFaultType {
  return Object.hasOwn(FAULTS, type);
}

/** Checks a connection fault's params (throws FaultParamsError naming the field); for APIs that set faults. */
export function validateConnectionFault(type: ConnectionFaultType, params: Record<string, unknown>): void {
  FAULTS[type].parse(params ?? {});
}

/**
 * Returns the stream to speak on: the socket itself when no fault applies (the fast path, no
 * wrapper at all), a transforming wrapper, or null when the fault took the connection.
 */
export function applyConnectionFault(socket: Socket, fault: Fault | undefined, trace: FaultTrace = () => {}): Duplex | null {
  if (!fault || !isConnectionFault(fault.type)) return socket;
  const def = FAULTS[fault.type];
  let params: unknown;
  try {
    params = def.parse(fault.params ?? {});
  } catch (err) {
    // A fault set with bad params (library call without validation) must not pass unnoticed.
    if (!(err instanceof FaultParamsError)) throw err;
    trace('error', `fault ${fault.id} not applied: ${err.message}; connection reset`);
    socket.resetAndDestroy();
    return null;
  }
  return def.apply(socket, params, trace);
}
