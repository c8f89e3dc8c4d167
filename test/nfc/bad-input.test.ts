import { describe, test, expect, beforeAll, afterAll } from 'vitest';
import { randomBytes } from 'node:crypto';
import { connect as tlsConnect } from 'node:tls';
import type { Duplex } from 'node:stream';
import { startNfcLab, nfcStream as openNfcStream, aioReady as openAio, type NfcLab } from './harness.ts';
import { RawReader } from '../helpers/raw-bytes.ts';
import { NfcConnection, connectAuthd } from '../../proxy/clients/nfc/index.ts';
import {
  AIO_MAGIC, AioMsg, ByteReader, NFC_MSG_SIZE, NfcErrType, NfcMsg, Vix, StreamEndedError,
  classicType, decodeAioError, decodeAioHeader, decodeClassicError, encodeClassic, encodeConnectionData, encodeVersion,
  aioMessage, encodeAioHeader,
} from '../../simulators/core/codecs/nfc/index.ts';

let t: NfcLab;
beforeAll(async () => {
  t = await startNfcLab();
});
afterAll(async () => {
  await t?.lab.stop();
});

/** Resolves once the peer has closed; a hang fails the test by its timeout. */
async function closedAfter(reader: ByteReader): Promise<void> {
  for (;;) {
    try {
      await reader.read(1, 10_000);
    } catch (e) {
      expect(e).toBeInstanceOf(StreamEndedError);
      return;
    }
  }
}

async function stillServes(): Promise<void> {
  const vm = t.vm('web01');
  const path = t.disks.get(vm.moid, 2000)!.currentFileName;
  const conn = await NfcConnection.open(t.net, { host: t.host, sslThumbprint: t.sha1, sessionId: t.ticket(vm, [path]).sessionId });
  const d = await conn.openDisk(path);
  expect(await d.read(0, 65536)).toHaveLength(65536);
  await conn.close();
}

async function rawAuthd(): Promise<{ sock: Duplex; reader: ByteReader }> {
  const sock = await t.net.connectTcp(t.host, 902);
  const reader = new ByteReader(sock, 64 * 1024, 10_000);
  expect(await reader.readLine(1024)).toMatch(/^220 VMware Authentication Daemon/);
  return { sock, reader };
}

const nfcStream = () => openNfcStream(t);
const aioReady = () => openAio(t);

async function expectAioError(r: ByteReader, code: number, errType: number = NfcErrType.PROTOCOL) {
  const h = decodeAioHeader(await r.read(16));
  expect(h.magic).toBe(AIO_MAGIC);
  expect(h.type).toBe(AioMsg.ERROR);
  const e = decodeAioError(await r.read(h.size));
  expect(e.errCode).toBe(code);
  expect(e.errType).toBe(errType);
  return e;
}

describe('902 bad input', () => {
  test('commands before TLS: authd answers 530 and closes', async () => {
    const { sock, reader } = await rawAuthd();
    const junk = randomBytes(200);
    junk[0] = 0x41;
    sock.write(junk);
    expect(await reader.readLine(1024)).toMatch(/^530 SSL required/);
    await closedAfter(reader);
    await stillServes();
  });

  test('random bytes that look like a TLS record: the handshake fails and the connection ends', async () => {
    const { sock, reader } = await rawAuthd();
    const junk = randomBytes(4096);
    junk[0] = 0x16;
    sock.write(junk);
    await closedAfter(reader);
    await stillServes();
  });

  test('garbage after TLS: 500 per line, then the connection ends; an endless line ends it too', async () => {
    const { sock } = await rawAuthd();
    const tls = tlsConnect({ socket: sock as never, rejectUnauthorized: false });
    await new Promise((r) => tls.once('secureConnect', r));
    const lines = new ByteReader(tls, 64 * 1024, 10_000);
    for (let i = 0; i < 5; i++) tls.write(Buffer.concat([randomBytes(40).map((b) => (b === 10 ? 11 : b)), Buffer.from('\r\n')]));
    for (let i = 0; i < 5; i++) expect(await lines.readLine(1024)).toMatch(/^500 /);
    await closedAfter(lines);

    const second = await rawAuthd();
    const tls2 = tlsConnect({ socket: second.sock as never, rejectUnauthorized: false });
    await new Promise((r) => tls2.once('secureConnect', r));
    const lines2 = new ByteReader(tls2, 64 * 1024, 10_000);
    tls2.write(Buffer.alloc(5000, 0x41));
    expect(await lines2.readLine(1024)).toBe('500 Line too long.');
    await closedAfter(lines2);
    await stillServes();
  });

  test('PROXY before SESSION or login: 530; unknown service: 501', async () => {
    const { sock } = await rawAuthd();
    const tls = tlsConnect({ socket: sock as never, rejectUnauthorized: false });
    await new Promise((r) => tls.once('secureConnect', r));
    const lines = new ByteReader(tls, 64 * 1024, 10_000);
    tls.write('PROXY nosuch\r\nTHUMBPRINT_SHA2 AA:BB\r\nPASS x\r\nPROXY vpxa-nfcssl\r\n');
    expect(await lines.readLine(1024)).toMatch(/^501 /);
    expect(await lines.readLine(1024)).toMatch(/^501 /);
    expect(await lines.readLine(1024)).toMatch(/^503 /);
    expect(await lines.readLine(1024)).toBe('530 Please login with USER and PASS.');
    await closedAfter(lines);
  });

  test('an unknown classic message gets an NFC error message (type 20) and the end', async () => {
    const { s, r } = await nfcStream();
    s.write(encodeClassic(999));
    const msg = await r.read(NFC_MSG_SIZE);
    expect(classicType(msg)).toBe(NfcMsg.ERROR);
    expect(decodeClassicError(msg)).toMatchObject({ errType: NfcErrType.PROTOCOL, errCode: Vix.NOT_SUPPORTED });
    await closedAfter(r);
    await stillServes();
  });

  test('an AIO header announcing 4 GiB, an unknown type, a bad magic: an AIO error and the end', async () => {
    for (const [frame, code] of [
      [encodeAioHeader(AioMsg.IO, 0xffffffff, 5), Vix.INVALID_ARG],
      [aioMessage(77, 6, Buffer.alloc(8)), Vix.NOT_SUPPORTED],
      [Buffer.concat([Buffer.from('GET / HTTP/1.1\r\n'), Buffer.alloc(32)]), Vix.INVALID_ARG],
    ] as const) {
      const { s, r } = await aioReady();
      const before = process.memoryUsage().rss;
      s.write(frame);
      const e = await expectAioError(r, code);
      expect(e.message.length).toBeGreaterThan(10);
      expect(e.message).toMatch(/^VIX_E_(INVALID_ARG|NOT_SUPPORTED)|magic|size|type/i);
      await closedAfter(r);
      expect(process.memoryUsage().rss - before).toBeLessThan(256 * 1024 * 1024);
    }
    await stillServes();
  });

  test('a truncated frame: the server drops the connection and keeps serving', async () => {
    const { s, r } = await aioReady();
    const open = aioMessage(AioMsg.OPEN_FILE, 1, Buffer.alloc(60));
    s.end(open.subarray(0, 30));
    await closedAfter(r);
    const again = await aioReady();
    // A path announced but never sent: no reply until the peer gives up; the session ends cleanly.
    const req = Buffer.alloc(60);
    req.writeUInt32LE(100, 0);
    again.s.end(aioMessage(AioMsg.OPEN_FILE, 2, req));
    await closedAfter(again.r);
    await stillServes();
  });

  test('a reader that stops reading holds the server to one fragment, not the whole read', async () => {
    const vm = t.vm('web01');
    const path = t.disks.get(vm.moid, 2000)!.currentFileName;
    const { s, r } = await aioReady();
    s.write(aioMessage(AioMsg.OPEN_SESSION, 0, Buffer.alloc(16)));
    await r.read(16 + 16);
    const p = Buffer.from(path);
    const open = Buffer.alloc(60);
    open.writeUInt32LE(p.length, 0);
    open.writeUInt32LE(2, 16);
    open.writeUInt32LE(0x1e, 20);
    s.write(Buffer.concat([aioMessage(AioMsg.OPEN_FILE, 1, open), p]));
    const h = decodeAioHeader(await r.read(16));
    const handle = (await r.read(h.size)).readBigUInt64LE(8);
    const leftover = r.detach();
    // 8 x 64 MiB requested, none read: memory must not grow by anything like 512 MiB.
    const before = process.memoryUsage().rss;
    for (let i = 0; i < 8; i++) {
      const io = Buffer.alloc(44);
      io.writeBigUInt64LE(handle, 0);
      io.writeUInt32LE(1, 8);
      io.writeBigUInt64LE(BigInt(i) * 64n * 1024n * 1024n, 16);
      io.writeBigUInt64LE(64n * 1024n * 1024n, 24);
      s.write(aioMessage(AioMsg.IO, 10 + i, io));
    }
    await new Promise((res) => setTimeout(res, 500));
    expect(process.memoryUsage().rss - before).toBeLessThan(128 * 1024 * 1024);
    // The stalled session is paused, not broken: reading again yields the first read's fragments, in
    // order, with the disk's bytes (bytes checked as they arrive, not through the shared decoder).
    s.resume();
    const raw = new RawReader(s, 30_000, leftover);
    const disk = t.disks.get(vm.moid, 2000)!;
    for (let f = 0; f < 4; f++) {
      const head = await raw.bytes(16);
      expect(head.readUInt32LE(0)).toBe(0xa100da7a);
      expect([head.readUInt32LE(4), head.readUInt32LE(8), head.readUInt32LE(12)]).toEqual([AioMsg.IO, 44, 10]);
      const io = await raw.bytes(44);
      expect([io.readUInt32LE(28), io.readUInt32LE(32)]).toEqual([f * 65536, 65536]);
      expect((await raw.bytes(65536)).equals(disk.read({ disk, readOnly: true }, f * 65536, 65536)), `fragment ${f}`).toBe(true);
    }
    raw.release();
    s.destroy();
    await stillServes();
  });
});
