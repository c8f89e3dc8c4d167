import fc from 'fast-check';

/**
 * fast-check settings shared by the property tests: a fixed seed (same cases on every run) unless
 * BPSIM_PROPERTY_SEED says otherwise, a few hundred runs in `npm test`, BPSIM_PROPERTY_RUNS for
 * thousands. fast-check prints the seed and the shrunk counterexample path when a property fails;
 * rerun with BPSIM_PROPERTY_SEED=<seed> to reproduce it.
 */
export function propertyParams(defaultRuns: number): fc.Parameters<unknown> {
  const seed = Number(process.env.BPSIM_PROPERTY_SEED ?? 20261202);
  const numRuns = Number(process.env.BPSIM_PROPERTY_RUNS ?? defaultRuns);
  return { seed, numRuns, verbose: 1, endOnFailure: false };
}
