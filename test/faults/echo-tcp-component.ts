import type { Duplex } from 'node:stream';
import type { Socket } from 'node:net';
import type { ComponentSpec } from '../../simulators/core/component.ts';

export interface EchoStats {
  /** Per connection, whether the handler was given the raw socket (no fault wrapper). */
  rawSocket: boolean[];
}

/** Echoes every byte back, on a plain TCP listener ("tcp") and a TLS one ("tls"). */
export function echoTcpComponent(stats: EchoStats = { rawSocket: [] }, name = 'echo'): ComponentSpec {
  const echo = (stream: Duplex) => {
    stream.on('error', () => {});
    stream.pipe(stream);
  };
  return {
    name,
    kind: 'echo',
    hostname: `${name}.lab.test`,
    start: async (ctx) => {
      await ctx.listenTcp({ listener: 'tcp', realPort: 7, protocol: 'echo' }, (stream: Duplex, _c, socket: Socket) => {
        stats.rawSocket.push(stream === socket);
        echo(stream);
      });
      await ctx.listenTls({ listener: 'tls', realPort: 2007, protocol: 'echo-tls' }, (socket) => echo(socket));
    },
  };
}
