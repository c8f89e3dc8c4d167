import { CloudApiError } from './errors.ts';

export interface RetryPolicy {
  /** Attempts in all, including the first (default 5). */
  attempts?: number;
  /** Give up once this much time has passed since the first attempt (default 60 s). */
  deadlineMs?: number;
  /** First backoff (default 200 ms), doubled each time up to maxDelayMs (default 10 s). */
  baseDelayMs?: number;
  maxDelayMs?: number;
}

/**
 * Runs `attempt` until it succeeds, the error is not transient, attempts run out, or the next
 * wait would pass the deadline. A Retry-After from the server replaces the backoff; if it cannot
 * be honoured before the deadline the last error is thrown at once (no pointless sleeping).
 */
export async function withRetry<T>(policy: RetryPolicy, attempt: () => Promise<T>, canRetryNetwork: boolean): Promise<T> {
  const attempts = policy.attempts ?? 5;
  const deadline = Date.now() + (policy.deadlineMs ?? 60_000);
  let delay = policy.baseDelayMs ?? 200;
  for (let i = 1; ; i++) {
    try {
      return await attempt();
    } catch (err) {
      const e = err instanceof CloudApiError ? err : undefined;
      const transient = e ? e.status === 503 || (e.status === 0 && canRetryNetwork) : false;
      if (!transient || i >= attempts) throw err;
      const wait = e!.retryAfterSeconds !== undefined ? e!.retryAfterSeconds * 1000 : delay;
      if (Date.now() + wait > deadline) throw err;
      await new Promise((r) => setTimeout(r, wait));
      delay = Math.min(delay * 2, policy.maxDelayMs ?? 10_000);
    }
  }
}
