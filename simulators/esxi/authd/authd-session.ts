import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import type { ComponentContext } from '../../core/component.ts';
import { acceptTls, secureContextFor, type ConnContext } from '../../core/net/listen.ts';
import { ioDeadline } from '../../core/net/deadline.ts';
import type { LabWorld } from '../../world.ts';
import {
  AUTHD_BANNER,
  AUTHD_MAX_LINE,
  ByteReader,
  LineTooLongError,
  ReadTimeoutError,
  NFC_SERVICES,
  RawPipe,
  authdLine,
  parseAuthdCommand,
} from '../../core/codecs/nfc/index.ts';
import { TicketError } from '../tickets.ts';
import type { NfcAccess } from './access.ts';
import { ESXI_POLICY, lockoutOn } from '../../core/lockout.ts';
import { lockoutFor } from '../../lockouts.ts';

export interface AuthdOutcome {
  /** Where NFC continues: the raw TCP stream (ha-nfc) or a second TLS session on it (ha-nfcssl). */
  stream: Duplex;
  access: NfcAccess;
  service: string;
}

const MAX_BAD_COMMANDS = 5;
/** Failed PASS commands one connection may send before authd closes it (lockout mode "vmware"). */
export const MAX_FAILED_PASS = 3;
const TLS_RECORD_HANDSHAKE = 0x16;

/**
 * vmware-authd on 902: banner in plain text, TLS on the same socket, then FTP-style commands until
 * PROXY hands the connection to NFC. Resolves undefined when the connection ended here.
 */
export async function runAuthd(ctx: ComponentContext<LabWorld>, raw: Duplex, conn: ConnContext): Promise<AuthdOutcome | undefined> {
  raw.write(`${AUTHD_BANNER}\r\n`);
  const commandMs = ctx.timeouts.authdCommandMs;
  const first = await firstChunk(raw, commandMs);
  if (first === 'timeout') return idle(raw, conn, commandMs);
  if (!first) return end(raw);
  if (first[0] !== TLS_RECORD_HANDSHAKE) {
    conn.trace('error', 'authd: command before TLS');
    raw.end(authdLine(530, 'SSL required: start TLS before sending commands.'));
    return undefined;
  }
  const pipe = new RawPipe(raw, first);
  let tls: TLSSocket;
  try {
    // tlsMaterial, not ctx.cert: certificate faults (tls-thumbprint-changed...) must reach 902 too.
    tls = await acceptTls(pipe, secureContextFor(await ctx.tlsMaterial({ listener: 'authd', realPort: 902, protocol: 'authd/nfc' })), conn, ctx.timeouts.handshakeMs);
  } catch {
    return end(raw);
  }
  const reader = new ByteReader(tls, 16 * 1024, commandMs);
  const reply = (code: number, text: string) => {
    conn.trace('response', `${code} ${text}`);
    tls.write(authdLine(code, text));
  };
  const fail = (code: number, text: string) => {
    reply(code, text);
    reader.detach();
    tls.end();
    setTimeout(() => raw.destroy(), 1000).unref();
    return undefined;
  };
  let sessionId: string | undefined;
  let user: string | undefined;
  let loggedIn = false;
  let bad = 0;
  let failedPass = 0;
  const limitPass = lockoutOn(ctx.world.options?.lockout);
  for (;;) {
    let line: string;
    try {
      line = await reader.readLine(AUTHD_MAX_LINE);
    } catch (err) {
      if (err instanceof LineTooLongError) return fail(500, 'Line too long.');
      if (err instanceof ReadTimeoutError) return idle(raw, conn, commandMs);
      return end(raw);
    }
    const { command, arg } = parseAuthdCommand(line);
    conn.trace('request', command === 'PASS' ? 'PASS ****' : command === 'SESSION' ? `SESSION ${arg.slice(0, 8)}...` : line.slice(0, 120));
    switch (command) {
      case 'SESSION':
        if (!arg) reply(501, 'Invalid arguments.');
        else sessionId = arg;
        break;
      case 'BANNER':
        reply(220, AUTHD_BANNER.slice(4));
        break;
      case 'THUMBPRINT_SHA2':
      case 'THUMBPRINT':
        if (arg !== 'PlainText') reply(501, 'Invalid arguments.');
        else reply(200, command === 'THUMBPRINT' ? ctx.cert.sha1 : ctx.cert.sha256);
        break;
      case 'USER':
        if (!arg) reply(501, 'Invalid arguments.');
        else {
          user = arg;
          loggedIn = false;
          reply(331, `Password required for ${arg}.`);
        }
        break;
      case 'PASS': {
        if (!user) {
          reply(503, 'Login with USER first.');
          break;
        }
        const want = ctx.credentials.esxi;
        // One lockout per host: authd and the host agent's SOAP Login count failures together.
        const verdict = lockoutFor(ctx.world, ctx.name, ESXI_POLICY).attempt(user, !!want && want.user === user && want.password === arg);
        loggedIn = verdict === 'ok';
        if (loggedIn) reply(230, `User ${user} logged in.`);
        else if (limitPass && ++failedPass >= MAX_FAILED_PASS) return fail(530, 'Login incorrect: too many failed attempts, closing the connection.');
        else reply(530, 'Login incorrect.');
        break;
      }
      case 'PROXY': {
        const service = NFC_SERVICES[arg];
        if (!service) {
          reply(501, `Invalid arguments: unknown service ${arg.slice(0, 40)}.`);
          break;
        }
        const access = grant(ctx, conn, sessionId, loggedIn ? user : undefined);
        if ('refusal' in access) return fail(530, access.refusal);
        conn.trace('response', `200 Connect ${service.endpoint}`);
        const stream = await handOver(ctx, raw, pipe, tls, reader, conn, service.ssl, authdLine(200, `Connect ${service.endpoint}`));
        return stream ? { stream, access: access.granted, service: service.endpoint } : undefined;
      }
      case 'QUIT':
        return fail(221, 'Goodbye.');
      default:
        if (++bad >= MAX_BAD_COMMANDS) return fail(500, 'Too many unknown commands.');
        reply(500, 'Unknown command.');
    }
  }
}

function grant(ctx: ComponentContext<LabWorld>, conn: ConnContext, sessionId: string | undefined, user: string | undefined): { granted: NfcAccess } | { refusal: string } {
  if (sessionId) {
    const fault = ctx.faults.take(ctx.name, 'ticket-rejected', 'authd');
    if (fault) {
      conn.trace('fault', 'ticket-rejected');
      return { refusal: 'Login incorrect: session ticket rejected.' };
    }
    try {
      return { granted: { via: 'ticket', ticket: ctx.world.nfcTickets.redeem(sessionId, ctx.hostname) } };
    } catch (err) {
      if (err instanceof TicketError) return { refusal: `Login incorrect: ${TICKET_TEXT[err.problem]}` };
      throw err;
    }
  }
  if (user) return { granted: { via: 'password', user } };
  return { refusal: 'Please login with USER and PASS.' };
}

const TICKET_TEXT: Record<TicketError['problem'], string> = {
  unknown: 'unknown session ticket.',
  used: 'session ticket already used.',
  expired: 'session ticket expired.',
  'wrong-host': 'session ticket is for another host.',
};

/**
 * Leaves the authd TLS session without closing it and returns the stream NFC runs on. Input stops
 * before the reply goes out (the client sends nothing until it reads "200 Connect"), output after
 * it was written, so no byte of either layer crosses into the other.
 */
async function handOver(
  ctx: ComponentContext<LabWorld>,
  raw: Duplex,
  pipe: RawPipe,
  tls: TLSSocket,
  reader: ByteReader,
  conn: ConnContext,
  ssl: boolean,
  connectLine: string,
): Promise<Duplex | undefined> {
  reader.detach();
  pipe.stopInput();
  await new Promise<void>((resolve) => tls.write(connectLine, () => resolve()));
  pipe.detach();
  tls.removeAllListeners();
  tls.on('error', () => {});
  tls.destroy();
  if (!ssl) return raw;
  try {
    return await acceptTls(raw, secureContextFor(ctx.cert), conn, ctx.timeouts.handshakeMs);
  } catch {
    return undefined;
  }
}

function firstChunk(raw: Duplex, timeoutMs: number): Promise<Buffer | 'timeout' | undefined> {
  return new Promise((resolve) => {
    const done = (b: Buffer | 'timeout' | undefined) => {
      deadline.clear();
      raw.off('data', onData);
      raw.off('close', onClose);
      raw.pause();
      resolve(b);
    };
    const onData = (b: Buffer) => done(b);
    const onClose = () => done(undefined);
    const deadline = ioDeadline(timeoutMs, () => done('timeout'));
    raw.on('data', onData);
    raw.once('close', onClose);
  });
}

/** authd says nothing to a silent client (vmware-authd just closes); the trace says why. */
function idle(raw: Duplex, conn: ConnContext, ms: number): undefined {
  conn.trace('error', `authd: no command within ${ms} ms; closing`);
  return end(raw);
}

function end(raw: Duplex): undefined {
  raw.destroy();
  return undefined;
}
