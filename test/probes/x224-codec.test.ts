import { describe, expect, test } from 'vitest';
import { hex } from '../helpers/raw-bytes.ts';
import {
  decodeConnectionConfirm,
  decodeConnectionRequest,
  encodeConnectionConfirm,
  encodeConnectionRequest,
  protocolNames,
  tpktLength,
  X224Error,
} from '../../simulators/core/codecs/x224.ts';

/*
 * The first RDP exchange against bytes written from the specifications: TPKT (RFC 1006: version 3,
 * reserved 0, u16 big-endian length), X.224 CR/CC TPDU (LI, code E0/D0, DST-REF, SRC-REF, class 0),
 * MS-RDPBCGR 2.2.1.1 routing cookie + RDP_NEG_REQ, 2.2.1.2 RDP_NEG_RSP / RDP_NEG_FAILURE
 * (type, flags, u16 length 8, u32 little-endian value), and the 4.1.1 / 4.1.2 annotated examples.
 */

// MS-RDPBCGR 4.1.1: cookie "mstshash=eltons", RDP_NEG_REQ requesting standard RDP security.
const specRequest = Buffer.concat([hex('03 00 00 2c 27 e0 00 00 00 00 00'), Buffer.from('Cookie: mstshash=eltons\r\n', 'latin1'), hex('01 00 08 00 00 00 00 00')]);
// nmap's TerminalServerCookie probe (nmap-service-probes): cookie "mstshash=nmap", SSL|HYBRID.
const nmapProbe = Buffer.concat([hex('03 00 00 2a 25 e0 00 00 00 00 00'), Buffer.from('Cookie: mstshash=nmap\r\n', 'latin1'), hex('01 00 08 00 03 00 00 00')]);
// A Windows 10 host's confirm: SRC-REF 0x1234, RDP_NEG_RSP flags 0x1f, HYBRID selected.
const windowsConfirm = hex('03 00 00 13 0e d0 00 00 12 34 00 02 1f 08 00 02 00 00 00');

function x224Error(f: () => unknown): string {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(X224Error);
    return (err as Error).message;
  }
  throw new Error('no X224Error');
}

describe('Connection Request (MS-RDPBCGR 2.2.1.1)', () => {
  test.each([
    ['the 4.1.1 example', specRequest, { cookie: 'mstshash=eltons', requestedProtocols: 0 }],
    ["nmap's probe", nmapProbe, { cookie: 'mstshash=nmap', requestedProtocols: 3 }],
    ['no cookie, SSL|HYBRID|HYBRID_EX', hex('03 00 00 13 0e e0 00 00 00 00 00 01 00 08 00 0b 00 00 00'), { requestedProtocols: 11 }],
    ['a cookie and no RDP_NEG_REQ (legacy client)', Buffer.concat([hex('03 00 00 21 1c e0 00 00 00 00 00'), Buffer.from('Cookie: mstshash=old\r\n', 'latin1')]), { cookie: 'mstshash=old' }],
    ['neither (the shortest request, 11 bytes)', hex('03 00 00 0b 06 e0 00 00 00 00 00'), {}],
  ])('%s: encoded and decoded byte for byte', (_name, bytes, req) => {
    expect(encodeConnectionRequest(req).toString('hex')).toBe(bytes.toString('hex'));
    expect(decodeConnectionRequest(bytes)).toEqual(req);
  });

  test('the cookie is single-byte (ANSI) text: é is one byte, E9', () => {
    const bytes = Buffer.concat([hex('03 00 00 2a 25 e0 00 00 00 00 00'), Buffer.from('Cookie: mstshash=Jos'), hex('e9 0d 0a'), hex('01 00 08 00 00 00 00 00')]);
    expect(encodeConnectionRequest({ cookie: 'mstshash=José', requestedProtocols: 0 }).toString('hex')).toBe(bytes.toString('hex'));
    expect(decodeConnectionRequest(bytes)).toEqual({ cookie: 'mstshash=José', requestedProtocols: 0 });
  });

  test('RDP_NEG_REQ followed by RDP_NEG_CORRELATION_INFO (flag 0x08, 36 bytes, as mstsc sends it) reads the protocols', () => {
    const correlation = Buffer.concat([hex('06 00 24 00'), Buffer.alloc(16, 0x11), Buffer.alloc(16)]);
    const neg = hex('01 08 08 00 03 00 00 00');
    const li = 6 + neg.length + correlation.length;
    const packet = Buffer.concat([hex(`03 00 00 ${(li + 5).toString(16)} ${li.toString(16)} e0 00 00 00 00 00`), neg, correlation]);
    expect(decodeConnectionRequest(packet)).toEqual({ requestedProtocols: 3 });
  });

  test('an X.224 CR with a credit in the low nibble (E1) is still a Connection Request', () => {
    expect(decodeConnectionRequest(hex('03 00 00 0b 06 e1 00 00 00 00 00'))).toEqual({});
  });

  test.each([
    ['a TPKT length one short of the bytes', Buffer.concat([nmapProbe, hex('00')]), 'TPKT says 42 bytes, got 43'],
    ['a TPKT length one past the bytes', nmapProbe.subarray(0, 41), 'TPKT says 42 bytes, got 41'],
    ['a length indicator one short', Buffer.concat([hex('03 00 00 2a 24'), nmapProbe.subarray(5)]), 'X.224 length indicator 36 does not match TPKT length 42'],
    ['a Connection Confirm', windowsConfirm, 'X.224 code 0xd0 is not a Connection Request (0xe0)'],
    ['a Data TPDU (F0)', hex('03 00 00 0b 06 f0 00 00 00 00 00'), 'X.224 code 0xf0 is not a Connection Request (0xe0)'],
    ['a cookie without CRLF', Buffer.concat([hex('03 00 00 22 1d e0 00 00 00 00 00'), Buffer.from('Cookie: mstshash=nmap\r\r', 'latin1')]), 'cookie without CRLF'],
    ['an RDP_NEG_REQ of length 9', hex('03 00 00 13 0e e0 00 00 00 00 00 01 00 09 00 03 00 00 00'), 'RDP_NEG_REQ length 9, want 8'],
    ['8 bytes that are not an RDP_NEG_REQ', hex('03 00 00 13 0e e0 00 00 00 00 00 02 00 08 00 03 00 00 00'), '8 unexpected bytes after the cookie'],
    ['the first 3 bytes of an RDP_NEG_REQ', hex('03 00 00 0e 09 e0 00 00 00 00 00 01 00 08'), '3 unexpected bytes after the cookie'],
    ['7 bytes of an RDP_NEG_REQ', hex('03 00 00 12 0d e0 00 00 00 00 00 01 00 08 00 03 00 00'), '7 unexpected bytes after the cookie'],
    ['text after the cookie', Buffer.concat([hex('03 00 00 24 1f e0 00 00 00 00 00'), Buffer.from('Cookie: mstshash=nmap\r\nxy', 'latin1')]), '2 unexpected bytes after the cookie'],
  ])('refuses %s', (_name, bytes, message) => {
    expect(x224Error(() => decodeConnectionRequest(bytes))).toBe(message);
  });
});

describe('Connection Confirm (MS-RDPBCGR 2.2.1.2)', () => {
  test.each([
    ["a Windows 10 host's RDP_NEG_RSP", windowsConfirm, { flags: 0x1f, selectedProtocol: 2 }],
    // The dump's selectedProtocol bytes are 01 00 00 00 (its annotation says PROTOCOL_RDP; the bytes say SSL).
    ['the 4.1.2 dump: no flags, PROTOCOL_SSL', hex('03 00 00 13 0e d0 00 00 12 34 00 02 00 08 00 01 00 00 00'), { flags: 0, selectedProtocol: 1 }],
    ['standard RDP security, no flags', hex('03 00 00 13 0e d0 00 00 12 34 00 02 00 08 00 00 00 00 00'), { flags: 0, selectedProtocol: 0 }],
    ['RDP_NEG_FAILURE HYBRID_REQUIRED_BY_SERVER (5)', hex('03 00 00 13 0e d0 00 00 12 34 00 03 00 08 00 05 00 00 00'), { flags: 0, failureCode: 5 }],
    ['no negotiation data (legacy server)', hex('03 00 00 0b 06 d0 00 00 12 34 00'), { flags: 0 }],
  ])('%s: encoded and decoded byte for byte', (_name, bytes, cc) => {
    expect(encodeConnectionConfirm(cc).toString('hex')).toBe(bytes.toString('hex'));
    expect(decodeConnectionConfirm(bytes)).toEqual(cc);
  });

  test('a failure code is sent as RDP_NEG_FAILURE with flags 0 even when a protocol is also given', () => {
    expect(encodeConnectionConfirm({ failureCode: 1, selectedProtocol: 2, flags: 0x1f }).equals(hex('03 00 00 13 0e d0 00 00 12 34 00 03 00 08 00 01 00 00 00'))).toBe(true);
  });

  test('the flags byte of RDP_NEG_FAILURE is read as sent', () => {
    expect(decodeConnectionConfirm(hex('03 00 00 13 0e d0 00 00 12 34 00 03 07 08 00 02 00 00 00'))).toEqual({ flags: 7, failureCode: 2 });
  });

  test.each([
    ['a Connection Request', nmapProbe, 'X.224 code 0xe0 is not a Connection Confirm (0xd0)'],
    ['4 bytes of negotiation data', hex('03 00 00 0f 0a d0 00 00 12 34 00 02 00 04 00'), '4 bytes of negotiation data, want 8'],
    ['9 bytes of negotiation data', hex('03 00 00 14 0f d0 00 00 12 34 00 02 00 08 00 02 00 00 00 00'), '9 bytes of negotiation data, want 8'],
    ['an RDP_NEG_REQ where the answer belongs', hex('03 00 00 13 0e d0 00 00 12 34 00 01 00 08 00 02 00 00 00'), 'unknown negotiation type 1'],
    ['negotiation type 4', hex('03 00 00 13 0e d0 00 00 12 34 00 04 00 08 00 02 00 00 00'), 'unknown negotiation type 4'],
    ['a length indicator one past', hex('03 00 00 13 0f d0 00 00 12 34 00 02 00 08 00 02 00 00 00'), 'X.224 length indicator 15 does not match TPKT length 19'],
  ])('refuses %s', (_name, bytes, message) => {
    expect(x224Error(() => decodeConnectionConfirm(bytes))).toBe(message);
  });
});

describe('TPKT header (RFC 1006)', () => {
  test('the length is the u16 big-endian in bytes 2-3; 11 (the shortest CR/CC) and 65535 pass', () => {
    expect(tpktLength(hex('03 00 00 0b'))).toBe(11);
    expect(tpktLength(hex('03 00 01 02'))).toBe(258);
    expect(tpktLength(hex('03 00 ff ff'))).toBe(65535);
  });

  test.each([
    ['an HTTP request', Buffer.from('GET / HTTP/1.1'), 'not a TPKT header (4745)'],
    ['version 2', hex('02 00 00 13'), 'not a TPKT header (0200)'],
    ['a non-zero reserved byte', hex('03 01 00 13'), 'not a TPKT header (0301)'],
    ['length 10, one short of an X.224 CR', hex('03 00 00 0a'), 'TPKT length 10 too short for an X.224 TPDU'],
    ['length 0', hex('03 00 00 00'), 'TPKT length 0 too short for an X.224 TPDU'],
  ])('refuses %s', (_name, bytes, message) => {
    expect(x224Error(() => tpktLength(bytes))).toBe(message);
  });
});

test('protocol names for requestedProtocols / selectedProtocol bits', () => {
  expect(protocolNames(0)).toBe('RDP');
  expect(protocolNames(1)).toBe('SSL');
  expect(protocolNames(3)).toBe('SSL|HYBRID');
  expect(protocolNames(0x0f)).toBe('SSL|HYBRID|RDSTLS|HYBRID_EX');
  expect(protocolNames(8)).toBe('HYBRID_EX');
});
