import type { CompletedCell, Results } from '../results/schema.js';

/** Changes smaller than this are reported as unchanged: single trials on a shared machine vary that much. */
const NOISE = 0.1;

const keyOf = (c: {
  scenario: string;
  protocol: string;
  transport: string;
  network: string;
  encoding: string;
}) => `${c.scenario} · ${c.protocol}/${c.transport}/${c.encoding} · ${c.network}`;

interface Metric {
  readonly name: string;
  readonly value: (c: CompletedCell) => number | null;
  /** Whether a larger value is better (throughput) or worse (latency, bytes). */
  readonly higherIsBetter: boolean;
}

const METRICS: readonly Metric[] = [
  { name: 'p50 ms', value: (c) => c.latencyMs.p50, higherIsBetter: false },
  { name: 'p99 ms', value: (c) => c.latencyMs.p99, higherIsBetter: false },
  { name: 'req/s', value: (c) => c.throughputRps, higherIsBetter: true },
  { name: 'resp wire B', value: (c) => c.bytesPerOp.responseWire, higherIsBetter: false },
];

/**
 * comparison.md: the cells two runs share, metric by metric, with the
 * relative change and a verdict (better / worse / within noise). Cells
 * present in only one run are listed too, so nothing disappears silently.
 */
export function renderComparison(current: Results, baseline: Results): string {
  const before = new Map(baseline.cells.map((c) => [keyOf(c), c]));
  const after = new Map(current.cells.map((c) => [keyOf(c), c]));
  const out = [
    `# wirebench comparison — ${current.run.id} vs baseline ${baseline.run.id}`,
    '',
    `Changes under ${(NOISE * 100).toFixed(0)}% are shown as "≈" (one trial per cell cannot resolve them).`,
    '',
    '| cell | metric | baseline | current | change | verdict |',
    '|---|---|--:|--:|--:|---|',
  ];
  const onlyOne: string[] = [];
  for (const [key, cell] of after) {
    const base = before.get(key);
    if (!base) {
      onlyOne.push(`- only in current: ${key} (${cell.state})`);
      continue;
    }
    if (cell.state !== 'completed' || base.state !== 'completed') {
      if (cell.state !== base.state)
        out.push(`| ${key} | state | ${base.state} | ${cell.state} | | changed |`);
      continue;
    }
    for (const metric of METRICS) {
      const b = metric.value(base);
      const a = metric.value(cell);
      if (b === null || a === null || b === 0) continue;
      const change = (a - b) / b;
      const better = metric.higherIsBetter ? change > 0 : change < 0;
      const verdict = Math.abs(change) < NOISE ? '≈' : better ? 'better' : 'worse';
      out.push(
        `| ${key} | ${metric.name} | ${b.toFixed(3)} | ${a.toFixed(3)} | ${(change * 100).toFixed(1)}% | ${verdict} |`,
      );
    }
  }
  for (const key of before.keys()) if (!after.has(key)) onlyOne.push(`- only in baseline: ${key}`);
  if (onlyOne.length > 0) out.push('', '## Cells in one run only', '', ...onlyOne);
  return `${out.join('\n')}\n`;
}
