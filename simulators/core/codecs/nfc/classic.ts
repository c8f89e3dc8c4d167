import { NFC_MSG_SIZE, NfcMsg } from './constants.ts';

/** A classic 264-byte NFC message: type at offset 0, body zero-padded. */
export function encodeClassic(type: number, body?: Buffer | ((b: Buffer) => void)): Buffer {
  const b = Buffer.alloc(NFC_MSG_SIZE);
  b.writeUInt32LE(type, 0);
  if (typeof body === 'function') body(b);
  else if (body) body.copy(b, 4, 0, Math.min(body.length, NFC_MSG_SIZE - 4));
  return b;
}

export function classicType(msg: Buffer): number {
  return msg.readUInt32LE(0);
}

export interface NfcErrorBody {
  errType: number;
  errCode: number;
  message: string;
}

const ERROR_TEXT_MAX = NFC_MSG_SIZE - 16;

/** Type 20: {u32 type, u32 errType, u32 errCode, u32 msgLen, text[248]}. */
export function encodeClassicError(e: NfcErrorBody): Buffer {
  const text = Buffer.from(e.message, 'utf8').subarray(0, ERROR_TEXT_MAX);
  return encodeClassic(NfcMsg.ERROR, (b) => {
    b.writeUInt32LE(e.errType, 4);
    b.writeUInt32LE(e.errCode, 8);
    b.writeUInt32LE(text.length, 12);
    text.copy(b, 16);
  });
}

export function decodeClassicError(msg: Buffer): NfcErrorBody {
  const len = Math.min(msg.readUInt32LE(12), ERROR_TEXT_MAX);
  return { errType: msg.readUInt32LE(4), errCode: msg.readUInt32LE(8), message: msg.toString('utf8', 16, 16 + len) };
}

export const encodeVersion = (version: number) => encodeClassic(NfcMsg.VERSION, (b) => b.writeUInt32LE(version, 4));
export const encodeSessionParamsReply = () => encodeClassic(NfcMsg.SESSION_PARAMS_REPLY, (b) => b.writeUInt32LE(1, 16));
export const encodeConnectionData = (nameLen: number, opIdLen: number) =>
  encodeClassic(NfcMsg.CONNECTION_DATA, (b) => {
    b.writeUInt32LE(nameLen, 4);
    b.writeUInt32LE(opIdLen, 8);
  });
export const encodeFeatures = (features: number) => encodeClassic(NfcMsg.SESSION_FEATURES, (b) => b.writeUInt32LE(features, 4));
