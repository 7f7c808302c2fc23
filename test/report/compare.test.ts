import test from 'ava';
import { renderComparison } from '../../bench/report/compare.js';
import type { CompletedCell, Results } from '../../bench/results/schema.js';
import { fixtureResults } from './fixture.js';

test('comparison marks a 2× slower p50 as worse, equal figures as ≈, and lists cells present in one run only', (t) => {
  const baseline = fixtureResults();
  const current: Results = {
    ...baseline,
    cells: baseline.cells
      .map((c, i) => {
        if (c.state !== 'completed' || i !== 0) return c;
        const slower: CompletedCell = { ...c, latencyMs: { ...c.latencyMs, p50: c.latencyMs.p50 * 2 } };
        return slower;
      })
      .filter((c) => c.protocol !== 'quic'),
  };
  const md = renderComparison(current, baseline);
  t.regex(md, /get-small · rest\/h1\/json · loopback \| p50 ms \| [\d.]+ \| [\d.]+ \| 100\.0% \| worse \|/);
  t.regex(md, /get-small · grpc\/h2c\/proto · loopback \| p50 ms \| [\d.]+ \| [\d.]+ \| 0\.0% \| ≈ \|/);
  t.regex(md, /only in baseline: get-small · quic/);
});
