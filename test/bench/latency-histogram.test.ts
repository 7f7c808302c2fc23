import test from 'ava';
import { LatencyHistogram } from '../../bench/stats/latency-histogram.js';
import { Random } from '../../services/core/index.js';

function filled(seed: number, n: number): LatencyHistogram {
  const random = new Random(seed);
  const h = new LatencyHistogram();
  // Log-uniform from 10 µs to 1 s: exercises many HDR buckets.
  for (let i = 0; i < n; i++) h.recordNs(10_000 * 10 ** (random.float() * 5));
  return h;
}

test('percentiles are ordered: min ≤ p50 ≤ p90 ≤ p95 ≤ p99 ≤ p99.9 ≤ max', (t) => {
  const s = filled(7, 10_000).summaryMs();
  const chain = [s.min, s.p50, s.p90, s.p95, s.p99, s.p999, s.max];
  for (let i = 1; i < chain.length; i++) {
    t.true((chain[i - 1] ?? 0) <= (chain[i] ?? 0), `expected ordered percentiles, got ${chain.join(' > ')}`);
  }
  t.is(s.count, 10_000);
  t.true(s.min >= 0.01 * 0.999 && s.max <= 1000 * 1.001);
});

test('values are kept to 3 significant digits', (t) => {
  const h = new LatencyHistogram();
  h.recordNs(123_456_789);
  const p50 = h.percentileNs(50);
  t.true(Math.abs(p50 - 123_456_789) / 123_456_789 < 0.001, `expected ~123456789 ns, got ${p50}`);
});

test('merging equals recording everything in one histogram', (t) => {
  const a = filled(1, 3000);
  const b = filled(2, 5000);
  const merged = LatencyHistogram.decode(a.encode());
  merged.merge(b);
  const whole = new LatencyHistogram();
  whole.merge(filled(1, 3000));
  whole.merge(filled(2, 5000));
  t.deepEqual(merged.summaryMs(), whole.summaryMs());
  t.is(merged.count, 8000);
});

test('encode/decode round-trips every percentile', (t) => {
  const h = filled(3, 2000);
  t.deepEqual(LatencyHistogram.decode(h.encode()).summaryMs(), h.summaryMs());
});

test('a negative duration is refused', (t) => {
  const h = new LatencyHistogram();
  t.throws(() => h.recordNs(-1), { message: /expected a duration ≥ 0 ns, got -1/ });
});

test('an empty histogram summarises to zeros, not NaN', (t) => {
  const s = new LatencyHistogram().summaryMs();
  t.is(s.count, 0);
  t.false(Object.values(s).some(Number.isNaN));
});
