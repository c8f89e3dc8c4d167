import type { ApiErrorBody } from '../../../simulators/core/codecs/cloud-api.ts';

/** An error answer of the cloud / CloudCache API ({code, message} + status), or a network failure (status 0). */
export class CloudApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly retryAfterSeconds?: number,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }

  static fromResponse(status: number, body: Buffer, retryAfter: string | undefined, what: string): CloudApiError {
    let parsed: Partial<ApiErrorBody> = {};
    try {
      parsed = JSON.parse(body.toString('utf8')) as ApiErrorBody;
    } catch {
      // Not our JSON form (a proxy in between?): keep the status.
    }
    const seconds = retryAfter === undefined ? undefined : Number(retryAfter);
    return new CloudApiError(status, parsed.code ?? `http_${status}`, `${what}: ${status} ${parsed.message ?? body.toString('utf8').slice(0, 200)}`, Number.isFinite(seconds) ? seconds : undefined, parsed.details);
  }

  /** Transient: worth another attempt (503, or the connection failed / timed out). */
  get retryable(): boolean {
    return this.status === 503 || this.status === 0;
  }
}
