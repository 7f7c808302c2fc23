import test from 'ava';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import {
  betaVariate,
  bootstrapQuantileDifference,
  type Empirical,
  quantileRank,
  valueAtRank,
} from '../../bench/stats/bootstrap.js';
import { LatencyHistogram } from '../../bench/stats/latency-histogram.js';
import { Random } from '../../services/core/index.js';

/** An empirical distribution from plain values (ties kept as counts). */
function empirical(values: readonly number[]): Empirical {
  const sorted = [...values].sort((a, b) => a - b);
  const distinct: number[] = [];
  const cumulative: number[] = [];
  sorted.forEach((v, i) => {
    if (distinct.at(-1) === v) cumulative[cumulative.length - 1] = i + 1;
    else {
      distinct.push(v);
      cumulative.push(i + 1);
    }
  });
  return { valuesNs: Float64Array.from(distinct), cumulative: Float64Array.from(cumulative) };
}

const sample = (seed: number, n: number, scale: number): number[] => {
  const random = new Random(seed);
  return Array.from({ length: n }, () => Math.round(scale * (1 + random.float() ** 3 * 4)));
};

test('Beta(a, b) draws have the known mean a/(a+b) and variance ab/((a+b)²(a+b+1))', (t) => {
  const rng = xoroshiro128plus(42);
  for (const [a, b] of [
    [1, 1],
    [5, 2],
    [50, 51],
    [990, 11],
  ] as const) {
    const n = 40_000;
    let sum = 0;
    let sumSq = 0;
    for (let i = 0; i < n; i++) {
      const x = betaVariate(rng, a, b);
      t.true(x > 0 && x < 1, `expected a draw in (0, 1), got ${x}`);
      sum += x;
      sumSq += x * x;
    }
    const mean = sum / n;
    const variance = sumSq / n - mean * mean;
    const expectedMean = a / (a + b);
    const expectedVar = (a * b) / ((a + b) ** 2 * (a + b + 1));
    // 6 standard errors of the mean: a wrong sampler misses by far more.
    t.true(
      Math.abs(mean - expectedMean) < 6 * Math.sqrt(expectedVar / n),
      `Beta(${a}, ${b}): expected mean ${expectedMean}, got ${mean}`,
    );
    t.true(
      Math.abs(variance / expectedVar - 1) < 0.05,
      `Beta(${a}, ${b}): expected variance ${expectedVar}, got ${variance}`,
    );
  }
});

test('valueAtRank and quantileRank follow the HdrHistogram percentile convention', (t) => {
  const random = new Random(3);
  const h = new LatencyHistogram();
  for (let i = 0; i < 5000; i++) h.recordNs(10_000 * 10 ** (random.float() * 4));
  const d = h.distribution();
  for (const q of [0.01, 0.5, 0.9, 0.99, 0.999, 1]) {
    t.is(valueAtRank(d, quantileRank(q, 5000)), h.percentileNs(q * 100), `quantile ${q}`);
  }
});

test('two constant, clearly different samples: the CI is exactly their difference', (t) => {
  const a = empirical(Array.from({ length: 100 }, () => 1_000_000));
  const b = empirical(Array.from({ length: 80 }, () => 2_000_000));
  const ci = bootstrapQuantileDifference(a, b, 0.5, { seed: 1 });
  t.deepEqual([ci.estimate, ci.low, ci.high], [-1_000_000, -1_000_000, -1_000_000]);
  t.is(ci.seed, 1);
  t.is(ci.replicates, 2000);
});

test('an identical pair: the CI of the difference contains 0', (t) => {
  const values = sample(5, 500, 1_000_000);
  for (const q of [0.5, 0.99]) {
    const ci = bootstrapQuantileDifference(empirical(values), empirical(values), q, { seed: 9 });
    t.is(ci.estimate, 0);
    t.true(ci.low <= 0 && ci.high >= 0, `q ${q}: expected 0 inside [${ci.low}, ${ci.high}]`);
  }
});

test('agrees with a brute-force bootstrap that resamples every value', (t) => {
  const a = sample(11, 301, 1000);
  const b = sample(12, 250, 1100);
  const fast = bootstrapQuantileDifference(empirical(a), empirical(b), 0.5, { seed: 2, replicates: 4000 });
  // The textbook way: draw n values with replacement, sort, take the median.
  const random = new Random(99);
  const median = (xs: readonly number[]): number => {
    const resampled = xs.map(() => xs[random.int(0, xs.length - 1)] ?? 0).sort((x, y) => x - y);
    return resampled[quantileRank(0.5, xs.length) - 1] ?? 0;
  };
  const diffs = Array.from({ length: 4000 }, () => median(a) - median(b)).sort((x, y) => x - y);
  const low = diffs[Math.floor(0.025 * 3999)] ?? 0;
  const high = diffs[Math.ceil(0.975 * 3999)] ?? 0;
  const width = high - low;
  t.true(width > 0, 'the brute-force CI has width');
  t.true(Math.abs(fast.low - low) < 0.25 * width, `low: expected ≈ ${low}, got ${fast.low}`);
  t.true(Math.abs(fast.high - high) < 0.25 * width, `high: expected ≈ ${high}, got ${fast.high}`);
});

test('the same seed gives the same interval', (t) => {
  const a = empirical(sample(1, 400, 1000));
  const b = empirical(sample(2, 400, 1000));
  t.deepEqual(
    bootstrapQuantileDifference(a, b, 0.99, { seed: 7 }),
    bootstrapQuantileDifference(a, b, 0.99, { seed: 7 }),
  );
});

test('no samples on one side is an error that says so', (t) => {
  const a = empirical([1, 2, 3]);
  const none: Empirical = { valuesNs: new Float64Array(), cumulative: new Float64Array() };
  t.throws(() => bootstrapQuantileDifference(a, none, 0.5, { seed: 1 }), {
    message: /expected samples on both sides, got 3 and 0/,
  });
});
