import type { ComponentContext } from '../../core/component.ts';
import type { Listener } from '../../core/net/listen.ts';
import { readFrame, FrameError } from '../../core/net/read-frame.ts';
import { closeGracefully } from './close.ts';

export const DEFAULT_SSH_BANNER = 'SSH-2.0-OpenSSH_9.2p1 bpsim';
/** RFC 4253 4.2: the identification line is at most 255 characters including CR LF. */
export const MAX_IDENTIFICATION = 255;

export interface SshProbeOptions {
  /** How long a client may take to send its identification line. Default 10 s. */
  identTimeoutMs?: number;
}

/**
 * The guest's port 22: sends an RFC 4253 identification line at once, reads the client's line
 * (bounded to 255 bytes), then ends the session with SSH_MSG_DISCONNECT since key exchange is not
 * simulated. Anything else gets OpenSSH's "Invalid SSH identification string." and a clean close.
 */
export function startSshProbe(ctx: Pick<ComponentContext, 'listenTcp'>, banner = DEFAULT_SSH_BANNER, opts: SshProbeOptions = {}): Promise<Listener> {
  const line = `${banner}\r\n`;
  if (!/^SSH-2\.0-[\x21-\x2c\x2e-\x7e]+( [\x20-\x7e]*)?$/.test(banner) || line.length > MAX_IDENTIFICATION) {
    throw new Error(`SSH banner must look like "SSH-2.0-software comments" (printable ASCII, at most ${MAX_IDENTIFICATION - 2} characters), got ${JSON.stringify(banner)}`);
  }
  return ctx.listenTcp({ listener: 'ssh', realPort: 22, protocol: 'ssh' }, (stream, conn) => {
    stream.write(line);
    conn.trace('response', `SSH identification ${banner}`);
    readFrame(stream, {
      limit: MAX_IDENTIFICATION,
      timeoutMs: opts.identTimeoutMs ?? 10_000,
      frameLength: (buf) => {
        const head = buf.subarray(0, 4).toString('latin1');
        if (!'SSH-'.startsWith(head)) throw new Error(`not an SSH identification line (starts ${JSON.stringify(buf.subarray(0, 16).toString('latin1'))})`);
        const nl = buf.indexOf(0x0a);
        return nl < 0 ? undefined : nl + 1;
      },
    }).then(
      ({ frame }) => {
        const ident = frame.toString('latin1').replace(/\r?\n$/, '');
        if (!/^SSH-(2\.0|1\.99)-/.test(ident)) return refuse(new Error(`unsupported protocol version in ${JSON.stringify(ident)}`));
        conn.trace('request', `SSH identification ${ident}`);
        conn.trace('response', 'SSH_MSG_DISCONNECT (probe only, no key exchange)');
        closeGracefully(stream, disconnectPacket(11, 'bpsim SSH probe: key exchange is not simulated'));
      },
      (err: Error) => refuse(err),
    );
    const refuse = (err: Error) => {
      if (err instanceof FrameError && err.reason === 'closed') {
        conn.trace('note', 'client left after the identification line');
        return closeGracefully(stream);
      }
      conn.trace('error', `bad SSH identification: ${err.message}; closing`);
      closeGracefully(stream, 'Invalid SSH identification string.\r\n');
    };
  });
}

/** An unencrypted SSH binary packet (RFC 4253 6) holding SSH_MSG_DISCONNECT (RFC 4253 11.1). */
function disconnectPacket(reason: number, description: string): Buffer {
  const text = Buffer.from(description, 'utf8');
  const payload = Buffer.alloc(1 + 4 + 4 + text.length + 4);
  payload[0] = 1;
  payload.writeUInt32BE(reason, 1);
  payload.writeUInt32BE(text.length, 5);
  text.copy(payload, 9);
  payload.writeUInt32BE(0, 9 + text.length);
  // packet_length + padding_length + payload + padding must be a multiple of 8, padding >= 4.
  let padding = 8 - ((5 + payload.length) % 8);
  if (padding < 4) padding += 8;
  const packet = Buffer.alloc(5 + payload.length + padding);
  packet.writeUInt32BE(1 + payload.length + padding, 0);
  packet[4] = padding;
  payload.copy(packet, 5);
  return packet;
}
