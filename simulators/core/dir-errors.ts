/** File-system error codes that mean "this directory cannot be used here", not a bug. */
const UNUSABLE = new Set(['EACCES', 'EPERM', 'ENOTDIR', 'EROFS', 'EEXIST', 'ENOSPC', 'EISDIR']);

/**
 * Turns a file-system error under a cache or state directory into one a user can act on: which
 * directory it was, what it holds, and the option that moves it. Other errors pass through.
 */
export function explainDirError(err: unknown, dir: string, what: string, option: string): unknown {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (!code || !UNUSABLE.has(code)) return err;
  return new Error(`cannot use ${dir} as the ${what} (${code}: ${(err as Error).message}); choose a writable directory with ${option}`, { cause: err });
}

/** Runs `fn` on `dir`, explaining a file-system error with explainDirError. */
export async function withDir<T>(dir: string, what: string, option: string, fn: () => T | Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw explainDirError(err, dir, what, option);
  }
}
