import type { ComponentContext } from '../../core/component.ts';
import type { Listener } from '../../core/net/listen.ts';
import { readFrame, FrameError } from '../../core/net/read-frame.ts';
import { decodeConnectionRequest, encodeConnectionConfirm, protocolNames, RdpProtocol, tpktLength, TPKT_HEADER, X224Error } from '../../core/codecs/x224.ts';
import { closeGracefully } from './close.ts';

export interface RdpProbeOptions {
  /** How long a client may take to send its Connection Request. Default 10 s (nmap's NULL probe waits 6 s first). */
  requestTimeoutMs?: number;
}

/** Largest Connection Request accepted; real ones are tens of bytes (cookie + RDP_NEG_REQ). */
const MAX_REQUEST = 1024;
/** RDP_NEG_RSP flags Windows 10 sends: extended client data, GFX, restricted admin, redirected auth. */
const WINDOWS_NEG_FLAGS = 0x1f;

/**
 * The guest's 3389 listener: answers an X.224 Connection Request with a Connection Confirm the way
 * Windows does, then closes (the TLS/CredSSP phase that follows on a real server is not simulated).
 * Anything that is not a TPKT-framed Connection Request is closed without a reply.
 */
export function startRdpProbe(ctx: Pick<ComponentContext, 'listenTcp'>, opts: RdpProbeOptions = {}): Promise<Listener> {
  return ctx.listenTcp({ listener: 'rdp', realPort: 3389, protocol: 'rdp' }, (stream, conn) => {
    readFrame(stream, {
      limit: MAX_REQUEST,
      timeoutMs: opts.requestTimeoutMs ?? 10_000,
      frameLength: (buf) => {
        if (buf[0] !== 3) throw new X224Error(`not a TPKT (first byte 0x${buf[0]!.toString(16).padStart(2, '0')})`);
        return buf.length >= TPKT_HEADER ? tpktLength(buf) : undefined;
      },
    }).then(
      ({ frame }) => {
        try {
          const req = decodeConnectionRequest(frame);
          const requested = req.requestedProtocols;
          conn.trace('request', `X.224 Connection Request${req.cookie ? ` cookie ${req.cookie}` : ''}${requested !== undefined ? ` requestedProtocols ${protocolNames(requested)}` : ''}`);
          const selected = requested === undefined ? undefined : pickProtocol(requested);
          conn.trace('response', `X.224 Connection Confirm${selected !== undefined ? ` selectedProtocol ${protocolNames(selected)}` : ' (no negotiation)'}`);
          closeGracefully(stream, encodeConnectionConfirm({ selectedProtocol: selected, flags: WINDOWS_NEG_FLAGS }));
        } catch (err) {
          reject(err as Error);
        }
      },
      (err: Error) => reject(err),
    );
    const reject = (err: Error) => {
      // A scanner connecting and leaving is normal traffic, not an error.
      if (err instanceof FrameError && err.reason === 'closed') conn.trace('note', 'client left before a Connection Request');
      else conn.trace('error', `bad RDP Connection Request: ${err.message}; closing`);
      closeGracefully(stream);
    };
  });
}

/** The strongest security the client offers, like a default Windows host (NLA first). */
function pickProtocol(requested: number): number {
  if (requested & RdpProtocol.HYBRID) return RdpProtocol.HYBRID;
  if (requested & RdpProtocol.SSL) return RdpProtocol.SSL;
  return RdpProtocol.RDP;
}
