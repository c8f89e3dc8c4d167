import type { Duplex } from 'node:stream';
import {
  ByteReader,
  NFC_MSG_SIZE,
  NFC_PROTOCOL_VERSION,
  NfcMsg,
  Vix,
  classicType,
  encodeClassic,
  encodeSessionParamsReply,
  encodeVersion,
} from '../../core/codecs/nfc/index.ts';
import { NfcFailure } from './errors.ts';

const MAX_CLASSIC_MESSAGES = 32;
const MAX_CONNECTION_DATA = 256;

export interface ClientInfo {
  name: string;
  opId: string;
  version: number;
}

/**
 * The classic phase, as VDDK runs it: handshake, session params, version, connection data,
 * features, then AIO session open. Resolves with what the client said about itself once the AIO
 * session is open, or 'complete' when the client ended the session before that.
 */
export async function classicHandshake(stream: Duplex, reader: ByteReader): Promise<ClientInfo | 'complete'> {
  const info: ClientInfo = { name: '', opId: '', version: 0 };
  for (let i = 0; i < MAX_CLASSIC_MESSAGES; i++) {
    const msg = await reader.read(NFC_MSG_SIZE);
    const type = classicType(msg);
    switch (type) {
      case NfcMsg.HANDSHAKE:
      case NfcMsg.SESSION_FEATURES:
        break;
      case NfcMsg.SESSION_PARAMS:
        stream.write(encodeSessionParamsReply());
        break;
      case NfcMsg.VERSION:
        info.version = msg.readUInt32LE(4);
        stream.write(encodeVersion(NFC_PROTOCOL_VERSION));
        break;
      case NfcMsg.CONNECTION_DATA: {
        const nameLen = msg.readUInt32LE(4);
        const opIdLen = msg.readUInt32LE(8);
        if (nameLen > MAX_CONNECTION_DATA || opIdLen > MAX_CONNECTION_DATA) {
          throw new NfcFailure(Vix.INVALID_ARG, `connection data too long (${nameLen} + ${opIdLen} bytes)`, true);
        }
        info.name = (await reader.read(nameLen)).toString('latin1');
        info.opId = (await reader.read(opIdLen)).toString('latin1');
        break;
      }
      case NfcMsg.PING:
        stream.write(encodeClassic(NfcMsg.PING));
        break;
      case NfcMsg.AIO_SESSION_OPEN:
        stream.write(encodeClassic(NfcMsg.AIO_SESSION_OPEN));
        return info;
      case NfcMsg.SESSION_COMPLETE:
        return 'complete';
      default:
        throw new NfcFailure(Vix.NOT_SUPPORTED, `unknown NFC message type ${type}`, true);
    }
  }
  throw new NfcFailure(Vix.INVALID_ARG, `no AIO session after ${MAX_CLASSIC_MESSAGES} messages`, true);
}
