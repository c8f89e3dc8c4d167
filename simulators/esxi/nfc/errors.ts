import { NfcErrType, VIX_NAMES } from '../../core/codecs/nfc/index.ts';

/** A failed NFC request, answered with an error message carrying a VixDiskLib code. */
export class NfcFailure extends Error {
  constructor(readonly code: number, message: string, readonly fatal = false) {
    super(message);
  }

  get body() {
    return { errType: this.fatal ? NfcErrType.PROTOCOL : NfcErrType.REQUEST, errCode: this.code, message: `${VIX_NAMES[this.code] ?? 'VIX_E'}: ${this.message}` };
  }
}
