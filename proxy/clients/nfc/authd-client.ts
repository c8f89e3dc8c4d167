import { connect as tlsConnect, type TLSSocket, type ConnectionOptions } from 'node:tls';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { ProxyNet } from '../../net/proxy-net.ts';
import { AUTHD_MAX_LINE, ByteReader, RawPipe, parseAuthdReply, type AuthdReply } from '../../../simulators/core/codecs/nfc/index.ts';
import type { Credentials } from '../../../simulators/core/types.ts';
import { NfcClientError } from './errors.ts';

/** What the proxy needs of vSphere's HostServiceTicket (or of a host for a local login). */
export interface NfcTarget {
  host: string;
  port?: number;
  /** SHA-1 of the host certificate, colon form; checked before anything is sent. */
  sslThumbprint: string;
  /** The ticket's sessionId (vCenter-mediated access). */
  sessionId?: string;
  /** Local ESXi login instead of a ticket. */
  login?: Credentials;
}

export interface AuthdOptions {
  /** NBDSSL (second TLS session for NFC, the default) or NBD (NFC in clear after authd). */
  ssl?: boolean;
  timeoutMs?: number;
}

/**
 * authd on 902 as VDDK drives it: banner, TLS pinned to the ticket thumbprint, SESSION / BANNER /
 * THUMBPRINT_SHA2 / PROXY, then the NFC stream (a fresh TLS session for vpxa-nfcssl).
 */
export async function connectAuthd(net: ProxyNet, target: NfcTarget, opts: AuthdOptions = {}): Promise<Duplex> {
  const port = target.port ?? 902;
  const timeoutMs = opts.timeoutMs ?? 15_000;
  const ssl = opts.ssl ?? true;
  let raw: Socket;
  try {
    raw = await net.connectTcp(target.host, port, timeoutMs);
  } catch (err) {
    throw new NfcClientError('CONNECT', `cannot connect to ${target.host}:${port}: ${(err as Error).message}`, { vixCode: 18000 });
  }
  raw.setNoDelay(true);
  try {
    const pre = new ByteReader(raw, 16 * 1024, timeoutMs);
    const banner = await pre.readLine(AUTHD_MAX_LINE);
    if (!banner.startsWith('220 ')) throw new NfcClientError('AUTHD', `unexpected authd banner: ${banner.slice(0, 80)}`);
    const pipe = new RawPipe(raw, pre.detach());
    const tlsOpts = tlsOptionsFor(net, target, port, timeoutMs);
    const tls = await secure(tlsConnect({ ...tlsOpts, socket: pipe }), timeoutMs, target.sslThumbprint);
    const lines = new ByteReader(tls, 16 * 1024, timeoutMs);
    const ask = async (command: string, want: number): Promise<AuthdReply> => {
      tls.write(`${command}\r\n`);
      const line = await lines.readLine(AUTHD_MAX_LINE);
      const reply = parseAuthdReply(line);
      if (!reply || reply.code !== want) {
        const shown = command.startsWith('PASS') ? 'PASS ****' : command.split(' ')[0];
        throw new NfcClientError('AUTHD', `authd refused ${shown}: ${line.slice(0, 200)}`, { authdCode: reply?.code });
      }
      return reply;
    };
    if (target.sessionId) tls.write(`SESSION ${target.sessionId}\r\n`);
    await ask('BANNER ', 220);
    const thumb = await ask('THUMBPRINT_SHA2 PlainText', 200);
    const peer = tls.getPeerCertificate().fingerprint256;
    if (peer && thumb.text.toUpperCase() !== peer.toUpperCase()) {
      throw new NfcClientError('THUMBPRINT_MISMATCH', `authd reports thumbprint ${thumb.text}, the TLS certificate has ${peer}`);
    }
    if (!target.sessionId && target.login) {
      await ask(`USER ${target.login.user}`, 331);
      await ask(`PASS ${target.login.password}`, 230);
    }
    await ask(`PROXY ${ssl ? 'vpxa-nfcssl' : 'vpxa-nfc'}`, 200);
    // Leave the authd TLS session where it is; NFC continues on the raw connection.
    lines.detach();
    pipe.detach();
    tls.removeAllListeners();
    tls.on('error', () => {});
    tls.destroy();
    if (!ssl) return raw;
    return await secure(tlsConnect({ ...tlsOpts, socket: raw }), timeoutMs, target.sslThumbprint);
  } catch (err) {
    raw.destroy();
    throw err;
  }
}

function tlsOptionsFor(net: ProxyNet, target: NfcTarget, port: number, timeoutMs: number): ConnectionOptions {
  const { host: _h, port: _p, localAddress: _l, ...rest } = net.tlsOptions(target.host, port, { pinSha1: target.sslThumbprint, timeoutMs });
  return rest;
}

/**
 * Waits for the handshake and checks the pin itself: with rejectUnauthorized off (as pinning needs),
 * node reports a failed checkServerIdentity only in socket.authorizationError, it does not abort.
 */
function secure(socket: TLSSocket, timeoutMs: number, pinSha1: string): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new NfcClientError('PROTOCOL', `TLS handshake timed out after ${timeoutMs} ms`)), timeoutMs);
    const fail = (err: Error) => {
      clearTimeout(timer);
      socket.destroy();
      const code = (err as NodeJS.ErrnoException).code;
      reject(
        code === 'THUMBPRINT_MISMATCH'
          ? new NfcClientError('THUMBPRINT_MISMATCH', `refusing the host: ${err.message}`, { vixCode: 18000 })
          : err instanceof NfcClientError
            ? err
            : new NfcClientError('PROTOCOL', `TLS failed: ${err.message}`),
      );
    };
    socket.once('error', fail);
    socket.once('secureConnect', () => {
      const seen = socket.getPeerCertificate().fingerprint ?? '';
      if (seen.toUpperCase() !== pinSha1.toUpperCase()) {
        return fail(Object.assign(new Error(`host thumbprint ${seen} does not match the ticket's ${pinSha1}`), { code: 'THUMBPRINT_MISMATCH' }));
      }
      clearTimeout(timer);
      socket.off('error', fail);
      resolve(socket);
    });
  });
}
