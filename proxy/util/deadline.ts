/** Rejects with a timeout ProxyError-shaped error if `work` has not settled in `ms`. Every wait in a flow goes through this or a client deadline. */
export function withDeadline<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error(`${what} did not finish within ${ms} ms`), { code: 'ETIMEDOUT', errorClass: 'timeout' })), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls `check` until it returns a value, or fails after `ms`. */
export async function pollUntil<T>(check: () => Promise<T | undefined>, ms: number, what: string, everyMs = 100): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() + everyMs > end) {
      throw Object.assign(new Error(`${what} did not happen within ${ms} ms`), { code: 'ETIMEDOUT', errorClass: 'timeout' });
    }
    await sleep(everyMs);
  }
}
