/**
 * The head-of-line figures and their views, from hand-made trials: what a
 * baseline is, what counts as delayed, and what report.md and report.html's
 * data show. No link needed.
 */
import test from 'ava';
import { deterministicFigures, sweepPoint } from '../../bench/protocols/hol-figures.js';
import { holChartData } from '../../bench/report/hol-chart.js';
import { holSections } from '../../bench/report/hol-table.js';
import { renderMarkdown } from '../../bench/report/markdown.js';
import type { HolBlock } from '../../bench/results/hol-schema.js';
import type { CompletedCell, Results } from '../../bench/results/schema.js';
import type { DropRecord } from '../../netem/index.js';
import { fixtureResults } from '../report/fixture.js';

const rule = { proto: 'tcp', serverPort: 8443, afterBytes: 16_384, minPayloadBytes: 1000 } as const;
const drop = (armId: number): DropRecord => ({
  armId,
  rule,
  afterArmMs: 40,
  at: 0,
  ipBytes: 1500,
  payloadBytes: 1448,
  offsetBytes: 15_000,
  ordinal: 11,
  fragmented: false,
  proto: 'tcp',
  src: '10.87.66.2:8443',
  dst: '10.87.66.1:40000',
});
const trial = (completionMs: number[]) => ({ completionMs, firstByteMs: completionMs, connectMs: 100 });

test('an object is delayed when it completes more than the threshold after its own baseline median', (t) => {
  const figures = deterministicFigures(
    3,
    [trial([10, 20, 30]), trial([14, 24, 34]), trial([12, 22, 32])],
    [
      { outcome: trial([70, 21, 90]), drop: drop(1) },
      { outcome: trial([12, 80, 33]), drop: drop(2) },
    ],
    25,
  );
  t.deepEqual(figures.baselineMs, [12, 22, 32]);
  t.deepEqual(
    figures.trials.map((x) => x.delayMs),
    [
      [58, -1, 58],
      [0, 58, 1],
    ],
  );
  t.deepEqual(
    figures.trials.map((x) => x.objectsDelayed),
    [2, 1],
  );
  t.deepEqual(figures.objectsDelayed, { mean: 1.5, median: 1, min: 1, max: 2 });
  t.deepEqual(figures.delayMs, { p50: 1, p95: 58, max: 58 });
  t.deepEqual(figures.dropMs, [12, 21, 33]);
});

test('a sweep point pools objects over complete trials and leaves incomplete ones out', (t) => {
  const point = sweepPoint(
    1,
    [trial([10, 20, 30]), trial([15, 25, 200]), trial([11, null as never, 31])],
    7,
    3,
  );
  t.truthy(point);
  t.is(point!.trials, 2);
  t.deepEqual(point!.perTrial, [
    { p50: 20, p95: 30, total: 30 },
    { p50: 25, p95: 200, total: 200 },
  ]);
  t.is(point!.max.value, 200);
  t.is(point!.total.mean, 115);
  t.true(point!.total.low <= 115 && point!.total.high >= 115);
  t.is(sweepPoint(2, [trial([1, null as never])], 0, 3), null);
});

test('report.md gets a head-of-line table per network and report.html the per-object series', (t) => {
  const base = fixtureResults();
  const template = base.cells[0] as CompletedCell;
  const hol = (transport: string, connections: number, dropMs: number[]): HolBlock => ({
    objects: 3,
    objectBytes: 4500,
    sweepObjectBytes: 21_000,
    connections,
    rttMs: 50,
    thresholdMs: 25,
    rule,
    deterministic: deterministicFigures(
      3,
      [trial([60, 61, 62])],
      [{ outcome: trial(dropMs), drop: drop(transport.length) }],
      25,
    ),
    sweep: [sweepPoint(0, [trial([60, 61, 62]), trial([64, 65, 66])], 0, 1)!],
    seed: 1,
  });
  const cell = (transport: string, connections: number, dropMs: number[]): CompletedCell => ({
    ...template,
    scenario: 'hol',
    transport,
    network: 'delay=25ms',
    hol: hol(transport, connections, dropMs),
  });
  const results: Results = {
    ...base,
    cells: [...base.cells, cell('h2', 1, [120, 121, 122]), cell('h3', 1, [60, 125, 62])],
  };
  const section = holSections(results).join('\n');
  t.regex(section, /^## Head-of-line blocking · delay=25ms$/m);
  t.regex(section, /past 16 KiB of response payload/);
  t.regex(section, /\| rest \| h2 \| 1 \| 3\.0 of 3 \(3, 3–3\) \|/);
  t.regex(section, /\| rest \| h3 \| 1 \| 1\.0 of 3 \(1, 1–1\) \|/);
  t.regex(section, /\| rest \| h3 \| 0 \| 2 \| .* \| 0 \|$/m);
  t.true(renderMarkdown(results).includes(section), 'report.md carries the section');
  const [chart] = holChartData(results);
  t.is(chart?.title, 'Head-of-line blocking · delay=25ms');
  t.deepEqual(chart?.perObject[1], { label: 'rest/h3', baselineMs: [60, 61, 62], dropMs: [60, 125, 62] });
  t.deepEqual(chart?.sweep[0]?.points[0]?.slice(0, 2), [0, 64]);
  t.deepEqual(holSections(base), [], 'no hol cells, no section');
});
