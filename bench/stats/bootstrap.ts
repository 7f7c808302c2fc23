import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator';

/**
 * An empirical distribution: distinct values ascending, with running counts
 * (what LatencyHistogram.distribution() returns).
 */
export interface Empirical {
  readonly valuesNs: Float64Array;
  readonly cumulative: Float64Array;
}

/** A bootstrap confidence interval of a difference `a − b`, with what produced it. */
export interface DifferenceCi {
  /** The difference of the point estimates, a − b. */
  readonly estimate: number;
  readonly low: number;
  readonly high: number;
  /** e.g. 0.95 */
  readonly confidence: number;
  readonly replicates: number;
  readonly seed: number;
}

export interface BootstrapOptions {
  /** Default 2000 replicates. */
  readonly replicates?: number;
  /** Default 0.95. */
  readonly confidence?: number;
  readonly seed: number;
}

/** Total count of an empirical distribution. */
export const sizeOf = (d: Empirical): number => d.cumulative[d.cumulative.length - 1] ?? 0;

/** The 1-based rank of the q-quantile among n values: HdrHistogram's convention (ceil(q·n), at least 1). */
export const quantileRank = (q: number, n: number): number => Math.min(n, Math.max(1, Math.ceil(q * n)));

/** The value of rank `rank` (1-based) in the distribution. */
export function valueAtRank(d: Empirical, rank: number): number {
  // First index whose running count reaches the rank (binary search).
  let lo = 0;
  let hi = d.cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((d.cumulative[mid] ?? 0) >= rank) hi = mid;
    else lo = mid + 1;
  }
  return d.valuesNs[lo] ?? Number.NaN;
}

/**
 * Percentile-bootstrap confidence interval of `quantile(a, q) − quantile(b, q)`.
 *
 * Hand-written on purpose, and exact rather than approximate: a bootstrap
 * resample of n values from an empirical distribution F is F⁻¹ applied to n
 * uniforms, and F⁻¹ is monotone, so the resample's k-th smallest value is
 * F⁻¹(U₍ₖ₎) where U₍ₖ₎ ~ Beta(k, n − k + 1). One Beta draw per replicate
 * therefore gives the resampled quantile exactly, in O(log n) instead of
 * O(n) — what makes a bootstrap over histograms with millions of samples
 * cheap enough to run for every report. The Beta comes from two Gamma
 * variates (Marsaglia–Tsang) on pure-rand's seeded xoroshiro128+, which the
 * project already uses; a statistics package offering a seeded Beta sampler
 * (@stdlib/random-base-beta) pulls in 229 packages for these 30 lines.
 */
export function bootstrapQuantileDifference(
  a: Empirical,
  b: Empirical,
  q: number,
  options: BootstrapOptions,
): DifferenceCi {
  const replicates = options.replicates ?? 2000;
  const confidence = options.confidence ?? 0.95;
  const na = sizeOf(a);
  const nb = sizeOf(b);
  if (na === 0 || nb === 0)
    throw new RangeError(`bootstrap: expected samples on both sides, got ${na} and ${nb}`);
  const ka = quantileRank(q, na);
  const kb = quantileRank(q, nb);
  const rng = xoroshiro128plus(options.seed);
  const diffs = new Float64Array(replicates);
  for (let r = 0; r < replicates; r++) {
    const va = valueAtRank(a, uniformRank(betaVariate(rng, ka, na - ka + 1), na));
    const vb = valueAtRank(b, uniformRank(betaVariate(rng, kb, nb - kb + 1), nb));
    diffs[r] = va - vb;
  }
  diffs.sort();
  const tail = (1 - confidence) / 2;
  return {
    estimate: valueAtRank(a, ka) - valueAtRank(b, kb),
    low: diffs[Math.floor(tail * (replicates - 1))] ?? Number.NaN,
    high: diffs[Math.ceil((1 - tail) * (replicates - 1))] ?? Number.NaN,
    confidence,
    replicates,
    seed: options.seed,
  };
}

/** F⁻¹(u) on n values is the value of rank ceil(u·n). */
const uniformRank = (u: number, n: number): number => Math.min(n, Math.max(1, Math.ceil(u * n)));

/** Beta(α, β) as X / (X + Y) with X ~ Gamma(α), Y ~ Gamma(β). */
export function betaVariate(rng: RandomGenerator, alpha: number, beta: number): number {
  const x = gammaVariate(rng, alpha);
  const y = gammaVariate(rng, beta);
  return x / (x + y);
}

/**
 * Gamma(shape, 1) for shape ≥ 1 by Marsaglia and Tsang (2000), "A simple
 * method for generating gamma variables": squeeze on a transformed normal.
 * The ranks of a bootstrap are ≥ 1, so shape < 1 never arises here.
 */
function gammaVariate(rng: RandomGenerator, shape: number): number {
  if (!(shape >= 1)) throw new RangeError(`gamma: expected shape ≥ 1, got ${shape}`);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = normalVariate(rng);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = uniformFloat64(rng);
    if (u < 1 - 0.0331 * x ** 4) return d * v;
    if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

/** Standard normal by Box–Muller (one of the pair; simplicity over speed). */
function normalVariate(rng: RandomGenerator): number {
  const u1 = 1 - uniformFloat64(rng); // (0, 1]: log is finite
  const u2 = uniformFloat64(rng);
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/** Whether a CI of a − b says `a` is better: below 0 when lower is better, above 0 when higher is. */
export function significantlyBetter(ci: DifferenceCi, direction: 'low' | 'high'): boolean {
  return direction === 'low' ? ci.high < 0 : ci.low > 0;
}
