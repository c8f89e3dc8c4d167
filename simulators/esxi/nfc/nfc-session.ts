import type { Duplex } from 'node:stream';
import { ByteReader, ReadTimeoutError, StreamEndedError, encodeAioError, encodeClassicError, NfcErrType, Vix } from '../../core/codecs/nfc/index.ts';
import type { NfcAccess } from '../authd/access.ts';
import { classicHandshake } from './handshake.ts';
import { AioSession, type NfcEnv } from './aio-session.ts';
import { NfcFailure } from './errors.ts';

/** Unread bytes one NFC connection may hold before its socket is paused. */
const READ_BUFFER = 256 * 1024;

/** One NFC session after authd: classic handshake, AIO phase, errors in NFC's own form. */
export async function serveNfc(stream: Duplex, access: NfcAccess, env: NfcEnv): Promise<void> {
  const reader = new ByteReader(stream, READ_BUFFER, env.timeouts.nfcMessageMs);
  let aio: AioSession | undefined;
  try {
    const hello = await classicHandshake(stream, reader);
    if (hello === 'complete') return void stream.end();
    env.conn.trace('request', `NFC session client=${hello.name || '?'} opId=${hello.opId || '?'} version=${hello.version}`);
    aio = new AioSession(stream, reader, access, env);
    await aio.run();
    stream.end();
  } catch (err) {
    if (err instanceof StreamEndedError || err instanceof ReadTimeoutError) {
      env.conn.trace('error', `NFC: ${err.message}`);
      // A peer that stopped mid-session gets a last word in case it is still listening.
      const failure = new NfcFailure(Vix.HOST_TCP_CONN_LOST, err.message, true);
      if (err instanceof ReadTimeoutError) sayLastWord(stream, aio !== undefined, failure);
      stream.destroy();
      return;
    }
    const failure = err instanceof NfcFailure ? err : new NfcFailure(Vix.FAIL, (err as Error).message, true);
    env.conn.trace('error', `NFC error ${failure.code}: ${failure.message}`);
    sayLastWord(stream, aio !== undefined, failure);
  } finally {
    reader.detach();
    if (aio) env.conn.trace('note', `NFC session done: ${aio.bytesRead} bytes read, ${aio.bytesWritten} bytes written`);
  }
}

function sayLastWord(stream: Duplex, inAio: boolean, failure: NfcFailure): void {
  const body = { ...failure.body, errType: NfcErrType.PROTOCOL };
  if (stream.writable) stream.end(inAio ? encodeAioError(0xffffffff, body) : encodeClassicError(body));
  setTimeout(() => stream.destroy(), 2000).unref();
}
