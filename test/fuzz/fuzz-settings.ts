import type { Parameters } from 'fast-check';

/**
 * Settings shared by the property-based suites. A fixed seed keeps `npm test` reproducible; fast-check
 * prints the seed and the shrunk counterexample's path when a property fails, and a run is replayed
 * with `RHIZOME_FUZZ_SEED=<seed>`. `RHIZOME_FUZZ_SCALE` multiplies the number of runs for a long
 * fuzzing session (e.g. `RHIZOME_FUZZ_SCALE=50 npx vitest run test/fuzz`).
 */
const defaultSeed = 20261201;

export function fuzzSeed(): number {
  const configured = process.env.RHIZOME_FUZZ_SEED;
  return configured === undefined || configured === '' ? defaultSeed : Number.parseInt(configured, 10);
}

export function fuzzScale(): number {
  const configured = Number.parseFloat(process.env.RHIZOME_FUZZ_SCALE ?? '1');
  return Number.isFinite(configured) && configured > 0 ? configured : 1;
}

export function fuzzParameters<T>(runs: number): Parameters<T> {
  return { seed: fuzzSeed(), numRuns: Math.max(1, Math.round(runs * fuzzScale())) };
}
