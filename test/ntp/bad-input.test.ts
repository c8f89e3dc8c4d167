import { test, expect } from 'vitest';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { decodeNtp, encodeNtp, unixMsToNtp, type NtpPacket } from '../../simulators/core/codecs/ntp.ts';
import { startNtpLab } from './ntp-lab.ts';

const request = (over: Partial<NtpPacket> = {}): NtpPacket => ({
  leap: 0, version: 4, mode: 3, stratum: 0, poll: 6, precision: -20, rootDelay: 0, rootDispersion: 0, refId: Buffer.alloc(4),
  referenceTimestamp: 0n, originTimestamp: 0n, receiveTimestamp: 0n, transmitTimestamp: unixMsToNtp(Date.now()), ...over,
});

test('garbage datagrams get no reply and the next valid query is answered', async () => {
  const { lab, endpoint } = await startNtpLab();
  const sock = createSocket('udp4');
  try {
    await new Promise<void>((r) => sock.bind(0, lab.addressOf('proxy'), r));
    const send = (b: Buffer) => new Promise<void>((r, j) => sock.send(b, endpoint.port, endpoint.bindAddress, (e) => (e ? j(e) : r())));
    const garbage = [
      Buffer.alloc(0),
      Buffer.from('hello ntp'),
      Buffer.alloc(47, 0xe3),
      Buffer.alloc(50, 0x23), // 50 is not a multiple of 4
      encodeNtp(request({ mode: 4 })), // a server reply sent to the server
      encodeNtp(request({ mode: 1 })), // symmetric active: not served
      encodeNtp(request({ version: 0 })),
      Buffer.alloc(1_000, 0x41), // length fine for "NTP with extensions" but mode 1 (0x41): dropped
    ];
    for (const g of garbage) await send(g);
    // Datagrams on loopback keep their order: if any garbage were answered, that reply would come first.
    const valid = request({ transmitTimestamp: 0x0123456789abcdefn });
    await send(encodeNtp(valid));
    const [msg] = (await once(sock, 'message')) as [Buffer];
    const reply = decodeNtp(msg);
    expect(reply.originTimestamp).toBe(0x0123456789abcdefn);
    expect(reply.mode).toBe(4);
    const errors = lab.recorder.find({ kind: 'error', to: 'ntp' }).map((e) => e.summary);
    expect(errors).toHaveLength(garbage.length);
    expect(errors).toContain('malformed SNTP datagram dropped: 47 bytes, an NTP packet has at least 48');
    expect(errors).toContain('SNTP datagram dropped: mode 4, this server answers only mode 3 (client)');
    expect(lab.recorder.find({ kind: 'response', to: 'ntp' })).toHaveLength(1);
  } finally {
    sock.close();
    await lab.stop();
  }
});
