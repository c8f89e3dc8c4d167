import { VimFaultError } from './clients/vsphere/soap-client.ts';
import { CloudApiError } from './clients/cloud/errors.ts';
import { NfcClientError } from './clients/nfc/errors.ts';

/**
 * Every failure a flow reports has a class, so a job log, a scenario expectation and a test can
 * say "failed with clock-skew" rather than match message text.
 */
export type ErrorClass =
  | 'clock-skew'
  | 'ntp-unavailable'
  | 'activation'
  | 'auth'
  | 'tls'
  | 'network'
  | 'timeout'
  | 'not-found'
  | 'cbt'
  | 'snapshot'
  | 'quiesce'
  | 'ticket'
  | 'nfc'
  | 'cloud-unavailable'
  | 'quota'
  | 'integrity'
  | 'guest'
  | 'vss'
  | 'sql'
  | 'probe'
  | 'invalid-state'
  | 'internal';

export class ProxyError extends Error {
  constructor(
    readonly errorClass: ErrorClass,
    message: string,
    readonly details: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

const VIM_FAULT_CLASS: Record<string, ErrorClass> = {
  InvalidLogin: 'auth',
  NotAuthenticated: 'auth',
  NoPermission: 'auth',
  InvalidGuestLogin: 'guest',
  GuestOperationsUnavailable: 'guest',
  GuestPermissionDenied: 'guest',
  GuestProcessNotFound: 'guest',
  ManagedObjectNotFound: 'not-found',
  InvalidState: 'invalid-state',
  ApplicationQuiesceFault: 'quiesce',
  FileFault: 'cbt',
};

const NFC_KIND_CLASS: Record<string, ErrorClass> = {
  THUMBPRINT_MISMATCH: 'tls',
  AUTHD: 'ticket',
  NFC: 'nfc',
  PROTOCOL: 'nfc',
  CONNECT: 'network',
};

/** The class of a client error (vim fault, cloud API answer, NFC failure), by its own fields. */
function clientErrorClass(err: unknown): ErrorClass | undefined {
  if (err instanceof VimFaultError) return VIM_FAULT_CLASS[err.faultType] ?? 'internal';
  if (err instanceof CloudApiError) {
    if (err.status === 0) return 'network';
    if (err.status === 503) return 'cloud-unavailable';
    if (err.code === 'quota_exceeded') return 'quota';
    // The catalog refuses a restore chain with a gap (a log backup taken by another tool) before SQL Server would (4305).
    if (err.code === 'log_chain_broken') return 'sql';
    // The caller named a database several instances back up without saying which: its input, not bpsim's fault.
    if (err.code === 'ambiguous_database') return 'invalid-state';
    if (err.status === 401 || err.status === 403) return 'auth';
    if (err.code === 'block_corrupted' || err.status === 422) return 'integrity';
    if (err.status === 404) return 'not-found';
    return 'internal';
  }
  if (err instanceof NfcClientError) return NFC_KIND_CLASS[err.kind] ?? 'nfc';
  return undefined;
}

/** Classifies errors that no flow wrapped: client errors by their fields, then socket and TLS errors by code. */
export function classify(err: unknown): ProxyError {
  if (err instanceof ProxyError) return err;
  const known = clientErrorClass(err);
  if (known) return new ProxyError(known, (err as Error).message, {}, { cause: err });
  const e = err as NodeJS.ErrnoException & { errorClass?: ErrorClass };
  if (e?.errorClass) return new ProxyError(e.errorClass, e.message, {}, { cause: err });
  const code = e?.code ?? '';
  if (code === 'ETIMEDOUT') return new ProxyError('timeout', e.message, { code }, { cause: err });
  if (/^(ECONNREFUSED|ECONNRESET|EPIPE|EHOSTUNREACH|ENETUNREACH|EADDRNOTAVAIL)$/.test(code)) {
    return new ProxyError('network', e.message, { code }, { cause: err });
  }
  if (/CERT|TLS|SSL|THUMBPRINT|ALTNAME|UNABLE_TO|SELF_SIGNED/i.test(code) || /certificate|thumbprint|TLS/i.test(e?.message ?? '')) {
    return new ProxyError('tls', e.message, { code }, { cause: err });
  }
  return new ProxyError('internal', e?.message ?? String(err), {}, { cause: err });
}
