import { SqlError } from '../../simulators/guest/sql/errors.ts';

/** The SQL error numbers a statement fails with ([] when it succeeds). */
export function sqlNumbers(fn: () => unknown): number[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof SqlError) return err.messages.map((m) => m.number);
    throw err;
  }
  return [];
}
