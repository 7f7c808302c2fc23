import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { MeanCi, StatCi } from '../results/hol-schema.js';

/**
 * Small statistics for the head-of-line experiment: nearest-rank quantiles
 * (HdrHistogram's convention, as everywhere else in the report) and a
 * seeded percentile bootstrap over trials.
 *
 * Hand-written on purpose: the bootstrap here resamples a handful of trials
 * (2–20) and recomputes a quantile of the pooled objects, ~15 lines; the npm
 * statistics packages either lack a seedable bootstrap (simple-statistics,
 * jStat) or bring hundreds of dependencies for it (@stdlib). The seeded
 * generator is pure-rand's xoroshiro128+, which the project already uses.
 */

/** The q-quantile (0..1) of `values` by nearest rank: the ceil(q·n)-th smallest. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length))) - 1]!;
}

export const median = (values: readonly number[]): number => quantile(values, 0.5);

const REPLICATES = 2000;
const CONFIDENCE = 0.95;

/**
 * 95% percentile-bootstrap interval of `stat` over groups (trials): each
 * replicate draws as many groups as there are, with replacement, and
 * applies `stat` to them. With one group the interval collapses to the
 * point estimate (nothing to resample), which the report shows as such.
 */
export function bootstrapGroups<G>(
  groups: readonly G[],
  stat: (sample: readonly G[]) => number,
  seed: number,
): StatCi {
  const value = stat(groups);
  if (groups.length < 2) return { value, low: value, high: value };
  const rng = xoroshiro128plus(seed);
  const replicates: number[] = [];
  for (let r = 0; r < REPLICATES; r++) {
    const sample: G[] = [];
    for (let i = 0; i < groups.length; i++) {
      sample.push(groups[uniformInt(rng, 0, groups.length - 1)]!);
    }
    replicates.push(stat(sample));
  }
  replicates.sort((a, b) => a - b);
  const tail = (1 - CONFIDENCE) / 2;
  return {
    value,
    low: replicates[Math.floor(tail * (REPLICATES - 1))]!,
    high: replicates[Math.ceil((1 - tail) * (REPLICATES - 1))]!,
  };
}

/** The mean of per-trial values with its 95% bootstrap interval. */
export function meanCi(values: readonly number[], seed: number): MeanCi {
  const mean = (xs: readonly number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;
  const { value, low, high } = bootstrapGroups(values, mean, seed);
  return { mean: value, low, high };
}

/** A quantile of the objects pooled over trials, with its 95% interval (trials resampled whole). */
export function pooledQuantileCi(trials: readonly (readonly number[])[], q: number, seed: number): StatCi {
  return bootstrapGroups(trials, (sample) => quantile(sample.flat(), q), seed);
}
