import type { ProxyNet } from '../../net/proxy-net.ts';
import {
  decodeConnectionConfirm,
  encodeConnectionRequest,
  protocolNames,
  RdpProtocol,
  tpktLength,
  TPKT_HEADER,
} from '../../../simulators/core/codecs/x224.ts';
import { printable, probeTcp, type ProbeOptions, type ProbeResult } from './tcp-probe.ts';

const NEG_FAILURES: Record<number, string> = {
  1: 'SSL required by server',
  2: 'SSL not allowed by server',
  3: 'SSL certificate not on server',
  4: 'inconsistent flags',
  5: 'HYBRID (NLA) required by server',
  6: 'SSL with user auth required by server',
};

/** Sends an X.224 Connection Request (cookie + RDP_NEG_REQ offering SSL and NLA) and expects a Connection Confirm. */
export function probeRdp(net: ProxyNet, host: string, opts: ProbeOptions & { port?: number } = {}): Promise<ProbeResult> {
  return probeTcp(
    net,
    host,
    opts.port ?? 3389,
    {
      hello: encodeConnectionRequest({ cookie: 'mstshash=bpsim', requestedProtocols: RdpProtocol.SSL | RdpProtocol.HYBRID }),
      read: {
        limit: 1024,
        frameLength: (buf) => (buf.length >= TPKT_HEADER ? tpktLength(buf) : buf[0] === 3 ? undefined : tpktLength(buf)),
      },
      judge: (frame) => {
        try {
          const cc = decodeConnectionConfirm(frame);
          if (cc.failureCode !== undefined) {
            return { recognized: true, detail: `RDP: negotiation failure ${cc.failureCode} (${NEG_FAILURES[cc.failureCode] ?? 'unknown'})` };
          }
          const selected = cc.selectedProtocol === undefined ? 'no negotiation (legacy RDP)' : `selected protocol ${protocolNames(cc.selectedProtocol)}`;
          return { recognized: true, detail: `RDP: X.224 Connection Confirm, ${selected}` };
        } catch (err) {
          return { recognized: false, detail: `not an X.224 Connection Confirm: ${(err as Error).message}` };
        }
      },
      describeGarbage: printable,
    },
    opts,
  );
}
