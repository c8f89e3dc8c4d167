import type { ComponentSpec } from '../core/component.ts';
import type { UdpContext } from '../core/net/listen.ts';
import type { FaultRegistry } from '../core/faults/registry.ts';
import { decodeNtp, encodeNtp, NtpDecodeError, NtpMode, type NtpPacket } from '../core/codecs/ntp.ts';
import { resolveBehaviour, signed } from './behaviour.ts';
import { buildReply } from './reply.ts';
import { validateNtpOptions, type NtpServerOptions } from './options.ts';

export const NTP_HOSTNAME = 'ntp.lab.test';
export const NTP_LISTENER = 'ntp';

/** The lab's SNTPv4 server on UDP 123: component `ntp`, host `ntp.lab.test`. */
export function ntpComponent<W = unknown>(options: NtpServerOptions = {}, name = 'ntp'): ComponentSpec<W> {
  validateNtpOptions(options);
  return {
    name,
    kind: 'ntp',
    hostname: NTP_HOSTNAME,
    async start(ctx) {
      await ctx.listenUdp({ listener: NTP_LISTENER, realPort: 123, protocol: 'sntp' }, (msg, udp) => answer(msg, udp, ctx.faults, name, options));
    },
  };
}

/** One datagram in, the reply datagram (or null: malformed, wrong mode, or told to stay silent) out. */
export function answer(msg: Buffer, udp: UdpContext, faults: FaultRegistry, component: string, options: NtpServerOptions): Buffer | null {
  const receivedAtMs = Date.now();
  const request = parseRequest(msg, udp);
  if (!request) return null;
  udp.trace('request', `SNTP request v${request.version}`, { data: { version: request.version, transmit: request.transmitTimestamp.toString(16) } });

  const { behaviour, applied, problems } = resolveBehaviour(faults, component, NTP_LISTENER, options);
  for (const p of problems) udp.trace('error', p);
  for (const a of applied) udp.trace('fault', a.note, { data: { fault: a.fault } });
  if (behaviour.silent) {
    udp.trace('note', 'no reply (server silent)');
    return null;
  }
  const reply = buildReply(request, behaviour, receivedAtMs, Date.now());
  const summary = behaviour.kod
    ? `SNTP reply Kiss-o'-Death ${behaviour.kod} (stratum 0)`
    : `SNTP reply stratum ${reply.stratum}${behaviour.unsynchronized ? ' LI=3 unsynchronized' : ''} offset ${signed(behaviour.offsetMs)} ms`;
  udp.trace('response', summary, { data: { stratum: reply.stratum, leap: reply.leap, offsetMs: behaviour.offsetMs, kod: behaviour.kod } });
  return encodeNtp(reply);
}

function parseRequest(msg: Buffer, udp: UdpContext): NtpPacket | null {
  let packet: NtpPacket;
  try {
    packet = decodeNtp(msg);
  } catch (err) {
    if (!(err instanceof NtpDecodeError)) throw err;
    udp.trace('error', `malformed SNTP datagram dropped: ${err.message}`, { data: { length: msg.length } });
    return null;
  }
  if (packet.mode !== NtpMode.client) {
    udp.trace('error', `SNTP datagram dropped: mode ${packet.mode}, this server answers only mode 3 (client)`);
    return null;
  }
  if (packet.version < 1 || packet.version > 4) {
    udp.trace('error', `SNTP datagram dropped: version ${packet.version} is not 1..4`);
    return null;
  }
  return packet;
}
