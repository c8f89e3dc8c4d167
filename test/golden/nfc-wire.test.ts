import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { createHash } from 'node:crypto';
import type { Duplex } from 'node:stream';
import { startNfcLab, type NfcLab } from '../nfc/harness.ts';
import { hex, padded, RawReader } from '../helpers/raw-bytes.ts';
// RawPipe is socket plumbing (hand the raw socket back after the authd TLS session), not a wire layout.
import {
  AUTHD_BANNER, RawPipe, aioMessage, authdLine, decodeAioError, decodeAioHeader, decodeClassicError, decodeIo, decodeOpenFile,
  decodeOpenFileReply, encodeAioError, encodeAioHeader, encodeClassic, encodeClassicError, encodeConnectionData, encodeFeatures,
  encodeIo, encodeOpenFile, encodeOpenFileReply, encodeReadRequest, encodeSessionParamsReply, encodeVersion, readRequestLength, VIX_NAMES,
} from '../../simulators/core/codecs/nfc/index.ts';

/*
 * Golden vectors written by hand from docs/protocols/nfc.md (section 4, the hex capture, and the
 * tables of sections 2 and 3). Each is checked against the shared encoder, the shared decoder, and
 * the running server spoken to over node:net / node:tls with none of the product's framing code.
 */
const BANNER = '220 VMware Authentication Daemon Version 1.10: SSL Required, ServerDaemonProtocol:SOAP, MKSDisplayProtocol:VNC , VMXARGS supported, NFCSSL supported/t, SHA256 supported';
const classic = (h: string) => padded(hex(h), 264);

const G = {
  handshake: classic('2b 00 00 00 50 6c 61 69 6e 54 65 78 74'),
  sessionParams: classic('21 00 00 00'),
  sessionParamsReply: classic('24 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 01 00 00 00'),
  version: classic('33 00 00 00 0b 00 00 00'),
  connectionData: classic('36 00 00 00 04 00 00 00 07 00 00 00'),
  connectionExtras: hex('76 64 64 6b 6e 62 64 6d 6f 64 65'),
  features: classic('37 00 00 00 03 00 00 00'),
  aioSessionOpen: classic('34 00 00 00'),
  sessionComplete: classic('04 00 00 00'),
  openSession: hex('7a da 00 a1 02 00 00 00 10 00 00 00 00 00 00 00' + ' 00'.repeat(16)),
  /** OPEN_FILE request payload for a 29-byte path, read-only (0x1e), NFC_DISK (2). */
  openFileHeader: hex('7a da 00 a1 04 00 00 00 3c 00 00 00 01 00 00 00'),
  openFilePayload: hex('1d 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 02 00 00 00 1e 00 00 00' + ' 00'.repeat(36)),
  /** OPEN_FILE reply payload: handle 0x5bd0 @8, type 2 @16, flags 0x1e @20, sectorSize 512 @36, capacity 16 GiB @40. */
  openFileReplyPayload: hex(
    '00 00 00 00 00 00 00 00 d0 5b 00 00 00 00 00 00 02 00 00 00 1e 00 00 00' +
      '00 00 00 00 00 00 00 00 00 00 00 00 00 02 00 00 00 00 00 00 04 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
  ),
  readHeader: hex('7a da 00 a1 07 00 00 00 2c 00 00 00 02 00 00 00'),
  /** IO read of 66048 bytes (129 sectors) at 0 on handle 0x5bd0. */
  readPayload: hex('d0 5b 00 00 00 00 00 00 01 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 02 01 00 00 00 00 00 00 02 01 00 00 02 01 00 00 00 00 00'),
  fragment1: hex('00 00 00 00 00 00 00 00 01 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 02 01 00 00 00 00 00 00 00 01 00 00 00 01 00 00 00 00 00'),
  fragment2: hex('00 00 00 00 00 00 00 00 01 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 02 01 00 00 00 01 00 00 02 00 00 00 02 00 00 00 00 00 00'),
  closeFile: hex('7a da 00 a1 05 00 00 00 08 00 00 00 04 00 00 00 d0 5b 00 00 00 00 00 00'),
  closeSession: hex('7a da 00 a1 03 00 00 00 04 00 00 00 05 00 00 00 00 00 00 00'),
};
const PAST_END_TEXT = 'VIX_E_DISK_OUTOFRANGE: IO of 1024 bytes at 17179868672 is past the end of [datastore2] web01/web01.vmdk (capacity 17179869184)';
const pastEndError = Buffer.concat([
  hex('7a da 00 a1 01 00 00 00 8a 00 00 00 03 00 00 00 02 00 00 00 87 3e 00 00 7e 00 00 00'),
  Buffer.from(PAST_END_TEXT),
]);

describe('golden vectors against the shared NFC codec', () => {
  test('authd banner and reply lines', () => {
    expect(AUTHD_BANNER).toBe(BANNER);
    expect(Buffer.from(authdLine(200, 'Connect ha-nfcssl'))).toEqual(hex('32 30 30 20 43 6f 6e 6e 65 63 74 20 68 61 2d 6e 66 63 73 73 6c 0d 0a'));
  });

  test('classic messages: 264 bytes, type first, fields where the table puts them', () => {
    expect(encodeClassic(43, Buffer.from('PlainText'))).toEqual(G.handshake);
    expect(encodeClassic(33)).toEqual(G.sessionParams);
    expect(encodeSessionParamsReply()).toEqual(G.sessionParamsReply);
    expect(encodeVersion(11)).toEqual(G.version);
    expect(encodeConnectionData(4, 7)).toEqual(G.connectionData);
    expect(encodeFeatures(3)).toEqual(G.features);
    expect(encodeClassic(52)).toEqual(G.aioSessionOpen);
    expect(encodeClassic(4)).toEqual(G.sessionComplete);
    // ERROR (20): errType @4, errCode @8, msgLen @12, text @16.
    const err = classic('14 00 00 00 01 00 00 00 06 00 00 00 03 00 00 00 61 62 63');
    expect(encodeClassicError({ errType: 1, errCode: 6, message: 'abc' })).toEqual(err);
    expect(decodeClassicError(err)).toEqual({ errType: 1, errCode: 6, message: 'abc' });
  });

  test('AIO header: magic, type, size @8, opId @12', () => {
    expect(encodeAioHeader(4, 60, 1)).toEqual(G.openFileHeader);
    expect(decodeAioHeader(G.openFileHeader)).toEqual({ magic: 0xa100da7a, type: 4, size: 60, opId: 1 });
    expect(decodeAioHeader(hex('7a da 00 a1 07 00 00 00 2c 00 00 00 02 00 00 00'))).toEqual({ magic: 0xa100da7a, type: 7, size: 44, opId: 2 });
    expect(aioMessage(2, 0, Buffer.alloc(16))).toEqual(G.openSession);
    expect(aioMessage(5, 4, hex('d0 5b 00 00 00 00 00 00'))).toEqual(G.closeFile);
    expect(aioMessage(3, 5, Buffer.alloc(4))).toEqual(G.closeSession);
  });

  test('OPEN_FILE request and reply: sectorSize at 36, capacity at 40', () => {
    expect(encodeOpenFile(29, 0x1e)).toEqual(G.openFilePayload);
    expect(decodeOpenFile(G.openFilePayload)).toEqual({ pathLength: 29, fileType: 2, flags: 0x1e });
    const reply = { handle: 0x5bd0n, fileType: 2, flags: 0x1e, sectorSize: 512, capacity: 16 * 1024 ** 3 };
    expect(encodeOpenFileReply(reply)).toEqual(G.openFileReplyPayload);
    expect(decodeOpenFileReply(G.openFileReplyPayload)).toEqual(reply);
    // A sector size other than 512 must come from offset 36 and nowhere else.
    const odd = Buffer.from(G.openFileReplyPayload);
    odd.writeUInt32LE(4096, 36);
    expect(decodeOpenFileReply(odd).sectorSize).toBe(4096);
  });

  test('IO read request, read-reply fragments, write ack', () => {
    expect(encodeReadRequest(0x5bd0n, 0, 66048)).toEqual(G.readPayload);
    expect(readRequestLength(G.readPayload)).toBe(66048);
    expect(decodeIo(G.readPayload)).toMatchObject({ handle: 0x5bd0n, direction: 1, compression: 0, offset: 0 });
    const frag = { handle: 0n, direction: 1, compression: 0, offset: 0, total: 66048, fragmentOffset: 0, fragmentLength: 65536, extraLength: 65536 };
    expect(encodeIo(frag)).toEqual(G.fragment1);
    expect(decodeIo(G.fragment1)).toEqual(frag);
    expect(decodeIo(G.fragment2)).toEqual({ ...frag, fragmentOffset: 65536, fragmentLength: 512, extraLength: 512 });
    // Past-the-end offset from the capture: 17179868672 = 00 fe ff ff 03 00 00 00.
    expect(encodeReadRequest(1n, 17179868672, 1024).subarray(16, 24)).toEqual(hex('00 fe ff ff 03 00 00 00'));
  });

  test('edges: a classic ERROR text is cut at 248 bytes, short AIO errors and replies decode without reading past the end', () => {
    const long = encodeClassicError({ errType: 2, errCode: 4, message: 'x'.repeat(300) });
    expect(long).toHaveLength(264);
    expect(long.readUInt32LE(12)).toBe(248);
    expect(decodeClassicError(long).message).toBe('x'.repeat(248));
    expect(decodeAioError(hex('01 02 03'))).toEqual({ errType: 0, errCode: 0, message: '010203' });
    expect(decodeAioError(hex('02 00 00 00 04 00 00 00 00 00 00 00'))).toEqual({ errType: 2, errCode: 4, message: '' });
    // msgLen says 3: trailing bytes are not text; a msgLen past the end is clamped.
    expect(decodeAioError(Buffer.concat([hex('02 00 00 00 04 00 00 00 03 00 00 00'), Buffer.from('abczz')])).message).toBe('abc');
    expect(decodeAioError(Buffer.concat([hex('02 00 00 00 04 00 00 00 ff 00 00 00'), Buffer.from('abc')])).message).toBe('abc');
    // The capture's 48-byte-or-longer reply carries the capacity; a shorter one (no bpsim extension) reads 0.
    expect(decodeOpenFileReply(G.openFileReplyPayload.subarray(0, 48)).capacity).toBe(16 * 1024 ** 3);
    expect(decodeOpenFileReply(G.openFileReplyPayload.subarray(0, 40)).capacity).toBe(0);
  });

  test('AIO ERROR: errType, errCode, msgLen, text, all counted in size', () => {
    expect(encodeAioError(3, { errType: 2, errCode: 16007, message: PAST_END_TEXT })).toEqual(pastEndError);
    expect(decodeAioError(pastEndError.subarray(16))).toEqual({ errType: 2, errCode: 16007, message: PAST_END_TEXT });
  });

  // The error table of docs/protocols/nfc.md section 3: each errCode's VIX name (vix.h's VIX_E_*), which error texts begin with.
  test('VIX names of the documented error codes', () => {
    expect(VIX_NAMES).toMatchObject({
      4: 'VIX_E_FILE_NOT_FOUND', 6: 'VIX_E_NOT_SUPPORTED', 9: 'VIX_E_INCORRECT_FILE_TYPE', 11: 'VIX_E_FILE_READ_ONLY',
      13: 'VIX_E_FILE_ACCESS_ERROR', 3014: 'VIX_E_HOST_USER_PERMISSIONS', 16002: 'VIX_E_DISK_NOIO', 16007: 'VIX_E_DISK_OUTOFRANGE',
    });
  });
});

let t: NfcLab;
beforeAll(async () => {
  t = await startNfcLab();
});
afterAll(async () => {
  await t?.lab.stop();
});

function u64(n: number | bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(n));
  return b;
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
}

/** authd over node:net + node:tls, commands and replies compared as text; returns the NBD (plain) stream. */
async function rawAuthd(sessionId: string): Promise<{ raw: Socket; r: RawReader }> {
  const { tls, lines, pipe, raw } = await authdTls();
  const sha256 = tls.getPeerCertificate().fingerprint256;
  tls.write(`SESSION ${sessionId}\r\nBANNER \r\n`);
  expect(await lines.line()).toBe(BANNER);
  tls.write('THUMBPRINT_SHA2 PlainText\r\n');
  expect(await lines.line()).toBe(`200 ${sha256}`);
  tls.write('PROXY vpxa-nfc\r\n');
  expect(await lines.line()).toBe('200 Connect ha-nfc');
  lines.release();
  pipe.detach();
  tls.removeAllListeners();
  tls.on('error', () => {});
  tls.destroy();
  raw.resume();
  return { raw, r: new RawReader(raw) };
}

async function classicPhase(s: Duplex, r: RawReader): Promise<void> {
  s.write(G.handshake);
  s.write(G.sessionParams);
  expect(await r.bytes(264)).toEqual(G.sessionParamsReply);
  s.write(G.version);
  expect(await r.bytes(264)).toEqual(G.version);
  s.write(Buffer.concat([G.connectionData, G.connectionExtras, G.features, G.aioSessionOpen]));
  expect(await r.bytes(264)).toEqual(G.aioSessionOpen);
  s.write(G.openSession);
  expect(await r.bytes(32)).toEqual(G.openSession);
}

/** OPEN_FILE by hand; returns the handle after checking every other reply byte. */
async function openFile(s: Duplex, r: RawReader, path: string, flags: number, opId: number, capacity: number): Promise<Buffer> {
  const p = Buffer.from(path);
  const payload = Buffer.concat([u32(p.length), Buffer.alloc(12), u32(2), u32(flags), Buffer.alloc(36)]);
  s.write(Buffer.concat([hex('7a da 00 a1 04 00 00 00 3c 00 00 00'), u32(opId), payload, p]));
  expect(await r.bytes(16)).toEqual(Buffer.concat([hex('7a da 00 a1 04 00 00 00 3c 00 00 00'), u32(opId)]));
  const reply = await r.bytes(60);
  expect(reply.subarray(0, 8)).toEqual(Buffer.alloc(8));
  expect(reply.subarray(16)).toEqual(Buffer.concat([u32(2), u32(flags), Buffer.alloc(12), hex('00 02 00 00'), u64(capacity), Buffer.alloc(12)]));
  return reply.subarray(8, 16);
}

/** authd up to TLS, by hand; returns the TLS socket and a line reader on it. */
async function authdTls(): Promise<{ tls: TLSSocket; lines: RawReader; pipe: RawPipe; raw: Socket }> {
  const e = t.lab.endpoint(t.world.inventory.hosts[0]!.component, 'authd');
  const raw = netConnect({ host: e.bindAddress, port: e.port });
  await new Promise((res, rej) => raw.once('connect', res).once('error', rej));
  const pre = new RawReader(raw);
  expect(await pre.line()).toBe(BANNER);
  const pipe = new RawPipe(raw, pre.release());
  const tls: TLSSocket = tlsConnect({ socket: pipe, rejectUnauthorized: false });
  await new Promise((res, rej) => tls.once('secureConnect', res).once('error', rej));
  return { tls, lines: new RawReader(tls), pipe, raw };
}

describe('golden vectors against the server over a raw socket', () => {
  test('authd reply lines of the docs table: 331, 530, 503, 500, 501, 200 (SHA-1), 221', async () => {
    const { tls, lines } = await authdTls();
    const esxi = t.lab.credentials.esxi!;
    const ask = async (cmd: string) => {
      tls.write(`${cmd}\r\n`);
      return lines.line();
    };
    expect(await ask('PASS nobody')).toBe('503 Login with USER first.');
    expect(await ask(`USER ${esxi.user}`)).toBe(`331 Password required for ${esxi.user}.`);
    expect(await ask('PASS wrong')).toBe('530 Login incorrect.');
    expect(await ask('FROB')).toBe('500 Unknown command.');
    expect(await ask('SESSION')).toBe('501 Invalid arguments.');
    expect(await ask('THUMBPRINT PlainText')).toBe(`200 ${tls.getPeerCertificate().fingerprint}`);
    expect(await ask(`USER ${esxi.user}`)).toBe(`331 Password required for ${esxi.user}.`);
    expect(await ask(`PASS ${esxi.password}`)).toBe(`230 User ${esxi.user} logged in.`);
    expect(await ask('QUIT')).toBe('221 Goodbye.');
    await lines.closed();
  });


  test('the capture of docs/protocols/nfc.md section 4, byte for byte (handle aside)', async () => {
    const vm = t.vm('web01');
    const disk = t.disks.get(vm.moid, 2000)!;
    const path = disk.currentFileName;
    expect(path).toBe('[datastore2] web01/web01.vmdk');
    expect(disk.capacityBytes).toBe(17179869184);
    const { raw, r } = await rawAuthd(t.ticket(vm, [path]).sessionId);
    await classicPhase(raw, r);
    const handle = await openFile(raw, r, path, 0x1e, 1, 17179869184);

    const read = Buffer.from(G.readPayload);
    handle.copy(read, 0);
    raw.write(Buffer.concat([G.readHeader, read]));
    expect(await r.bytes(16)).toEqual(G.readHeader);
    expect(await r.bytes(44)).toEqual(G.fragment1);
    const data1 = await r.bytes(65536);
    expect(await r.bytes(16)).toEqual(G.readHeader);
    expect(await r.bytes(44)).toEqual(G.fragment2);
    const data2 = await r.bytes(512);
    const want = disk.read({ disk, readOnly: true }, 0, 66048);
    expect(createHash('sha256').update(data1).update(data2).digest('hex')).toBe(createHash('sha256').update(want).digest('hex'));

    raw.write(Buffer.concat([hex('7a da 00 a1 07 00 00 00 2c 00 00 00 03 00 00 00'), handle, hex('01 00 00 00 00 00 00 00 00 fe ff ff 03 00 00 00 00 04 00 00 00 00 00 00 00 04 00 00 00 04 00 00 00 00 00 00')]));
    expect(await r.bytes(pastEndError.length)).toEqual(pastEndError);

    raw.write(Buffer.concat([G.closeFile.subarray(0, 16), handle]));
    expect(await r.bytes(24)).toEqual(Buffer.concat([G.closeFile.subarray(0, 16), handle]));
    raw.write(G.closeSession);
    expect(await r.bytes(20)).toEqual(G.closeSession);
    raw.write(G.sessionComplete);
    expect((await r.closed()).length).toBe(0);
  });

  test('SET_SOCK_OPTS, SET_RES_POOL, a write and its ack, a read-only write refused', async () => {
    const vm = t.vm('web01');
    const disk = t.disks.get(vm.moid, 2000)!;
    const path = disk.currentFileName;
    const { raw, r } = await rawAuthd(t.ticket(vm, [path], 'readwrite').sessionId);
    await classicPhase(raw, r);
    raw.write(hex('7a da 00 a1 09 00 00 00 0c 00 00 00 07 00 00 00' + ' 00'.repeat(12)));
    expect(await r.bytes(28)).toEqual(hex('7a da 00 a1 09 00 00 00 0c 00 00 00 07 00 00 00 00 00 40 00 00 00 40 00 00 00 00 00'));
    raw.write(hex('7a da 00 a1 16 00 00 00 04 00 00 00 08 00 00 00 01 00 00 00'));
    expect(await r.bytes(20)).toEqual(hex('7a da 00 a1 16 00 00 00 04 00 00 00 08 00 00 00 01 00 00 00'));
    const handle = await openFile(raw, r, path, 0x1a, 9, disk.capacityBytes);

    // One 1024-byte write fragment at 1 MiB: {handle, dir 0, offset, total, fragOff, fragLen, extraLen, 0} + data.
    const data = Buffer.alloc(1024);
    for (let i = 0; i < data.length; i++) data[i] = (i * 7 + 3) & 0xff;
    raw.write(Buffer.concat([hex('7a da 00 a1 07 00 00 00 2c 00 00 00 0a 00 00 00'), handle,
      hex('00 00 00 00 00 00 00 00 00 00 10 00 00 00 00 00 00 04 00 00 00 00 00 00 00 04 00 00 00 04 00 00 00 00 00 00'), data]));
    // The ack: handle 0, dir 0, offset, total 1024, fragment offset 0, fragment length 1024, extra 0.
    expect(await r.bytes(60)).toEqual(hex('7a da 00 a1 07 00 00 00 2c 00 00 00 0a 00 00 00' +
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 10 00 00 00 00 00 00 04 00 00 00 00 00 00 00 04 00 00 00 00 00 00 00 00 00 00'));
    expect(disk.read({ disk, readOnly: true }, 1 << 20, 1024)).toEqual(data);

    // An unaligned read: AIO ERROR errType 2 (request failed), code 3 VIX_E_INVALID_ARG, with the request's opId.
    raw.write(Buffer.concat([hex('7a da 00 a1 07 00 00 00 2c 00 00 00 0b 00 00 00'), handle,
      hex('01 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 0a 00 00 00 00 00 00 00 0a 00 00 00 0a 00 00 00 00 00 00 00')]));
    const h = await r.bytes(16);
    expect(h.subarray(0, 8)).toEqual(hex('7a da 00 a1 01 00 00 00'));
    expect(h.subarray(12)).toEqual(hex('0b 00 00 00'));
    const body = await r.bytes(h.readUInt32LE(8));
    expect(body.subarray(0, 8)).toEqual(hex('02 00 00 00 03 00 00 00'));
    expect(body.readUInt32LE(8)).toBe(body.length - 12);
    raw.write(Buffer.concat([G.closeFile.subarray(0, 16), handle]));
    expect(await r.bytes(24)).toEqual(Buffer.concat([G.closeFile.subarray(0, 16), handle]));
    raw.destroy();
  });

  test('an unknown AIO type: ERROR with opId 0xffffffff, errType 1, code 6, then the end', async () => {
    const vm = t.vm('web01');
    const path = t.disks.get(vm.moid, 2000)!.currentFileName;
    const { raw, r } = await rawAuthd(t.ticket(vm, [path]).sessionId);
    await classicPhase(raw, r);
    raw.write(hex('7a da 00 a1 0b 00 00 00 00 00 00 00 2a 00 00 00'));
    const h = await r.bytes(16);
    expect(h.subarray(0, 8)).toEqual(hex('7a da 00 a1 01 00 00 00'));
    expect(h.subarray(12)).toEqual(hex('ff ff ff ff'));
    const body = await r.bytes(h.readUInt32LE(8));
    expect(body.subarray(0, 8)).toEqual(hex('01 00 00 00 06 00 00 00'));
    expect((await r.closed()).length).toBe(0);
  });

  test('an unknown classic type: a 264-byte ERROR (20) errType 1, code 6, then the end', async () => {
    const vm = t.vm('web01');
    const path = t.disks.get(vm.moid, 2000)!.currentFileName;
    const { raw, r } = await rawAuthd(t.ticket(vm, [path]).sessionId);
    raw.write(classic('e7 03 00 00'));
    const msg = await r.bytes(264);
    expect(msg.subarray(0, 12)).toEqual(hex('14 00 00 00 01 00 00 00 06 00 00 00'));
    const len = msg.readUInt32LE(12);
    expect(len).toBeGreaterThan(0);
    expect(msg.subarray(16 + len)).toEqual(Buffer.alloc(264 - 16 - len));
    expect((await r.closed()).length).toBe(0);
  });
});
