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

/** Classifies low-level errors (socket, TLS) that no client wrapped. */
export function classify(err: unknown): ProxyError {
  if (err instanceof ProxyError) return err;
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
