import { VIX_NAMES } from '../../../simulators/core/codecs/nfc/index.ts';

export type NfcErrorKind =
  /** The host certificate does not match the ticket's sslThumbprint (nothing was sent). */
  | 'THUMBPRINT_MISMATCH'
  /** authd refused (reply code in authdCode): bad ticket, login, service. */
  | 'AUTHD'
  /** The NFC server answered with an error message (VixDiskLib code in vixCode). */
  | 'NFC'
  /** The peer broke the protocol, or the connection dropped or timed out. */
  | 'PROTOCOL'
  | 'CONNECT';

export class NfcClientError extends Error {
  constructor(
    readonly kind: NfcErrorKind,
    message: string,
    readonly details: { vixCode?: number; authdCode?: number; fatal?: boolean } = {},
  ) {
    super(message);
  }

  get vixName(): string | undefined {
    return this.details.vixCode === undefined ? undefined : VIX_NAMES[this.details.vixCode];
  }
}
