import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Fault } from '../faults/registry.ts';

/** Connection-layer fault types, applied to the raw byte stream of any TCP listener. */
export const CONNECTION_FAULTS = ['refuse', 'blackhole', 'latency', 'bandwidth', 'reset-after', 'slice'] as const;

export type ConnectionFaultApplier = (socket: Socket, fault: Fault) => Duplex | null;

/**
 * Default behaviour for the two faults that need no stream transform: refuse resets the connection
 * at once, blackhole accepts and then never answers. Transforming faults (latency, bandwidth,
 * reset-after, slice) are installed by the fault layer through `registerConnectionFault`.
 */
const appliers = new Map<string, ConnectionFaultApplier>([
  [
    'refuse',
    (socket) => {
      socket.resetAndDestroy();
      return null;
    },
  ],
  [
    'blackhole',
    (socket) => {
      socket.pause();
      socket.on('error', () => {});
      return null;
    },
  ],
]);

/** Stateless: appliers are pure functions of (socket, fault), so sharing them between labs is safe. */
export function registerConnectionFault(type: string, applier: ConnectionFaultApplier): void {
  appliers.set(type, applier);
}

/** Returns the stream to speak on (the socket itself, or a wrapper), or null when the fault took the connection. */
export function applyConnectionFault(socket: Socket, fault: Fault | undefined): Duplex | null {
  if (!fault) return socket;
  const applier = appliers.get(fault.type);
  return applier ? applier(socket, fault) : socket;
}
