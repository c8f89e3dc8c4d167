export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * Pauses between looks at something that becomes true on its own (a service starting, a guest
 * booting, an operation finishing): the first is short, so a thing that is nearly there costs no
 * fixed wait, then each doubles up to `maxMs`, so a slow one is not hammered.
 */
export function backoff(maxMs: number, firstMs = 5): () => Promise<void> {
  let next = Math.min(firstMs, maxMs);
  return async () => {
    await sleep(next);
    next = Math.min(next * 2, maxMs);
  };
}
