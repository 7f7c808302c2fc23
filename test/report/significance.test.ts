import test from 'ava';
import { renderMarkdown } from '../../bench/report/markdown.js';
import { comparisonSeed, verdicts } from '../../bench/report/significance.js';
import type { CompletedCell, Results } from '../../bench/results/schema.js';
import { fixtureResults } from './fixture.js';

const completed = (results: Results): CompletedCell[] =>
  results.cells.filter((c): c is CompletedCell => c.state === 'completed');

test('a clear difference is marked: the faster cell, with a CI of the difference below 0', (t) => {
  const cells = completed(fixtureResults());
  const p50 = verdicts('get-small · loopback', cells, 1).find((v) => v.metric === 'p50');
  if (!p50) return t.fail('expected a p50 verdict');
  t.is(p50.best.protocol, 'rest');
  t.is(p50.runnerUp.protocol, 'grpc');
  t.true(p50.significant);
  t.true(p50.ci.high < 0, `expected the CI below 0, got [${p50.ci.low}, ${p50.ci.high}]`);
  const md = renderMarkdown(fixtureResults());
  const restRow = md.split('\n').find((l) => l.startsWith('| rest | h1 |'));
  const grpcRow = md.split('\n').find((l) => l.startsWith('| grpc | h2c |'));
  t.regex(restRow ?? '', /\| \*\*[\d.]+\*\* \|/, 'the best p50 is bold');
  t.notRegex(grpcRow ?? '', /\*\*/, 'the runner-up is not');
  t.regex(md, /bootstrap \(2000 replicates, seed 1 /, 'the legend names the method and the seed');
});

test('an identical pair is not marked', (t) => {
  const results = fixtureResults();
  const [rest] = completed(results);
  if (!rest) return t.fail('fixture: expected a completed cell');
  const twin: CompletedCell = { ...rest, transport: 'h1s' };
  const pair = [rest, twin];
  for (const v of verdicts('get-small · loopback', pair, 1)) {
    t.false(v.significant, `${v.metric}: expected no mark, CI [${v.ci.low}, ${v.ci.high}]`);
  }
  const md = renderMarkdown({ ...results, cells: pair });
  t.false(
    md.split('\n').some((l) => l.startsWith('| rest |') && l.includes('**')),
    'no bold figure in either row',
  );
});

test('a cell without histograms is left out of the comparison, never guessed', (t) => {
  const [rest, grpc] = completed(fixtureResults());
  if (!rest || !grpc) return t.fail('fixture: expected two completed cells');
  const bare = { ...rest, latencyHistogram: '' };
  t.deepEqual(
    verdicts('x', [bare, grpc], 1).filter((v) => v.metric === 'p50'),
    [],
  );
});

test('comparison seeds are reproducible and differ per table and column', (t) => {
  t.is(comparisonSeed(1, 'a|p50'), comparisonSeed(1, 'a|p50'));
  t.not(comparisonSeed(1, 'a|p50'), comparisonSeed(1, 'a|p99'));
  t.not(comparisonSeed(1, 'a|p50'), comparisonSeed(2, 'a|p50'));
});
