/**
 * The first RDP exchange (MS-RDPBCGR 2.2.1.1 / 2.2.1.2): a TPKT (RFC 1006) carrying an X.224
 * Connection Request with an optional cookie and RDP_NEG_REQ, answered by a Connection Confirm with
 * RDP_NEG_RSP or RDP_NEG_FAILURE. Shared by the guest's 3389 probe listener and the proxy's probe.
 */

export const TPKT_VERSION = 3;
export const TPKT_HEADER = 4;
const X224_CR = 0xe0;
const X224_CC = 0xd0;
const NEG_REQ = 0x01;
const NEG_RSP = 0x02;
const NEG_FAILURE = 0x03;

/** requestedProtocols / selectedProtocol bits. */
export const RdpProtocol = { RDP: 0, SSL: 1, HYBRID: 2, RDSTLS: 4, HYBRID_EX: 8 } as const;

export function protocolNames(mask: number): string {
  if (mask === 0) return 'RDP';
  return Object.entries(RdpProtocol)
    .filter(([, bit]) => bit !== 0 && (mask & bit) !== 0)
    .map(([name]) => name)
    .join('|');
}

export interface ConnectionRequest {
  /** "mstshash=user" (the text after "Cookie: "). */
  cookie?: string;
  /** Absent for a legacy client that sends no RDP_NEG_REQ. */
  requestedProtocols?: number;
}

export interface ConnectionConfirm {
  selectedProtocol?: number;
  /** RDP_NEG_FAILURE code (1 SSL required, 2 SSL not allowed, 5 HYBRID required...). */
  failureCode?: number;
  flags: number;
}

export class X224Error extends Error {}

/** Total TPKT length once 4 header bytes are in, or an error when the bytes are not a TPKT. */
export function tpktLength(head: Buffer): number {
  if (head[0] !== TPKT_VERSION || head[1] !== 0) throw new X224Error(`not a TPKT header (${head.subarray(0, 2).toString('hex')})`);
  const length = head.readUInt16BE(2);
  if (length < TPKT_HEADER + 7) throw new X224Error(`TPKT length ${length} too short for an X.224 TPDU`);
  return length;
}

export function encodeConnectionRequest(req: ConnectionRequest): Buffer {
  const cookie = req.cookie !== undefined ? Buffer.from(`Cookie: ${req.cookie}\r\n`, 'latin1') : Buffer.alloc(0);
  const neg = req.requestedProtocols !== undefined ? negBlock(NEG_REQ, 0, req.requestedProtocols) : Buffer.alloc(0);
  return tpkt(X224_CR, Buffer.from([0, 0, 0, 0, 0]), Buffer.concat([cookie, neg]));
}

export function decodeConnectionRequest(packet: Buffer): ConnectionRequest {
  const body = tpdu(packet, X224_CR, 'Connection Request');
  let rest = body;
  const out: ConnectionRequest = {};
  if (rest.subarray(0, 8).toString('latin1') === 'Cookie: ') {
    const end = rest.indexOf('\r\n');
    if (end < 0) throw new X224Error('cookie without CRLF');
    out.cookie = rest.subarray(8, end).toString('latin1');
    rest = rest.subarray(end + 2);
  }
  if (rest.length >= 8 && rest[0] === NEG_REQ) {
    if (rest.readUInt16LE(2) !== 8) throw new X224Error(`RDP_NEG_REQ length ${rest.readUInt16LE(2)}, want 8`);
    out.requestedProtocols = rest.readUInt32LE(4);
  } else if (rest.length > 0) throw new X224Error(`${rest.length} unexpected bytes after the cookie`);
  return out;
}

export function encodeConnectionConfirm(cc: ConnectionConfirm): Buffer {
  // Source reference 0x1234 is what Windows sends (and what nmap's ms-wbt-server match expects).
  const fixed = Buffer.from([0, 0, 0x12, 0x34, 0]);
  const neg =
    cc.failureCode !== undefined
      ? negBlock(NEG_FAILURE, 0, cc.failureCode)
      : cc.selectedProtocol !== undefined
        ? negBlock(NEG_RSP, cc.flags, cc.selectedProtocol)
        : Buffer.alloc(0);
  return tpkt(X224_CC, fixed, neg);
}

export function decodeConnectionConfirm(packet: Buffer): ConnectionConfirm {
  const body = tpdu(packet, X224_CC, 'Connection Confirm');
  if (body.length === 0) return { flags: 0 };
  if (body.length !== 8) throw new X224Error(`${body.length} bytes of negotiation data, want 8`);
  const type = body[0];
  const value = body.readUInt32LE(4);
  if (type === NEG_RSP) return { flags: body[1]!, selectedProtocol: value };
  if (type === NEG_FAILURE) return { flags: body[1]!, failureCode: value };
  throw new X224Error(`unknown negotiation type ${type}`);
}

function tpkt(code: number, fixed: Buffer, variable: Buffer): Buffer {
  const li = 1 + fixed.length + variable.length;
  const total = TPKT_HEADER + 1 + li;
  const head = Buffer.from([TPKT_VERSION, 0, total >> 8, total & 0xff, li, code]);
  return Buffer.concat([head, fixed, variable]);
}

/** Checks TPKT and X.224 framing and returns the variable part after the 7 fixed bytes. */
function tpdu(packet: Buffer, code: number, name: string): Buffer {
  const length = tpktLength(packet);
  if (packet.length !== length) throw new X224Error(`TPKT says ${length} bytes, got ${packet.length}`);
  const li = packet[4]!;
  if (li !== length - TPKT_HEADER - 1) throw new X224Error(`X.224 length indicator ${li} does not match TPKT length ${length}`);
  if ((packet[5]! & 0xf0) !== code) throw new X224Error(`X.224 code 0x${packet[5]!.toString(16)} is not a ${name} (0x${code.toString(16)})`);
  return packet.subarray(TPKT_HEADER + 7);
}

function negBlock(type: number, flags: number, value: number): Buffer {
  const b = Buffer.alloc(8);
  b[0] = type;
  b[1] = flags;
  b.writeUInt16LE(8, 2);
  b.writeUInt32LE(value >>> 0, 4);
  return b;
}
