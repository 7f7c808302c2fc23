import type { CompletedCell, Results } from '../results/schema.js';
import { type Verdict, verdicts } from './significance.js';

/** For figures without samples (throughput, bytes): differences smaller than this are not called a win. */
const MIN_RELATIVE_DIFFERENCE = 0.1;

/**
 * The short "what wins where" text: per scenario and network, who had the
 * lowest median latency, the lowest p99, the highest throughput and the
 * fewest wire bytes — each with the numbers. Latency leads are claimed only
 * where report.md's bootstrap marks them significant; throughput and bytes
 * (one figure per cell) only when the runner-up is at least 10% behind.
 */
export function insights(results: Results): string[] {
  const out: string[] = [];
  const groups = new Map<string, CompletedCell[]>();
  for (const c of results.cells) {
    if (c.state === 'completed')
      groups.set(`${c.scenario} on ${c.network}`, [
        ...(groups.get(`${c.scenario} on ${c.network}`) ?? []),
        c,
      ]);
  }
  for (const [title, cells] of groups) {
    if (cells.length < 2) continue;
    // Latency quantiles: the bootstrap verdicts report.md marks with, so text and tables agree.
    const tested = verdicts(title.replace(' on ', ' · '), cells, results.run.seed);
    const lines = [
      verdictLine(
        cells,
        'lowest median latency',
        tested.find((v) => v.metric === 'p50'),
      ) ?? best(cells, 'lowest median latency', (c) => c.latencyMs.p50, 'ms', 'low'),
      verdictLine(
        cells,
        'lowest p99 latency',
        tested.find((v) => v.metric === 'p99'),
      ) ?? best(cells, 'lowest p99 latency', (c) => c.latencyMs.p99, 'ms', 'low'),
      best(cells, 'highest throughput', (c) => c.throughputRps, 'req/s', 'high'),
      best(cells, 'fewest response bytes on the wire', (c) => c.bytesPerOp.responseWire, 'B/op', 'low'),
    ].filter((l): l is string => l !== undefined);
    out.push(`${title}: ${lines.join('; ')}.`);
  }
  return out;
}

/** A latency winner only when the bootstrap CI of the difference excludes 0, quoting both figures and the CI. */
function verdictLine(
  cells: readonly CompletedCell[],
  what: string,
  v: Verdict | undefined,
): string | undefined {
  if (!v) return undefined;
  const ms = (ns: number): string => (ns / 1e6).toFixed(3);
  const a = v.best.latencyMs;
  const b = v.runnerUp.latencyMs;
  const pick = (p: typeof a): number => (v.metric === 'p99' ? p.p99 : p.p50);
  const ci = `95% CI of the difference [${ms(v.ci.low)}, ${ms(v.ci.high)}] ms`;
  if (!v.significant) {
    return `${what}: ${cellName(cells, v.best)} (${pick(a).toFixed(3)} ms) and ${cellName(cells, v.runnerUp)} (${pick(b).toFixed(3)} ms) are not significantly different (${ci})`;
  }
  return `${what}: ${cellName(cells, v.best)} with ${pick(a).toFixed(3)} ms (next: ${cellName(cells, v.runnerUp)}, ${pick(b).toFixed(3)} ms; ${ci})`;
}

/** protocol/transport, with encoding and variant only where they tell two cells of one protocol × transport apart. */
function cellName(cells: readonly CompletedCell[], c: CompletedCell): string {
  const twin = cells.some((o) => o !== c && o.protocol === c.protocol && o.transport === c.transport);
  return `${c.protocol}/${c.transport}${twin ? `/${c.encoding}${c.variant ? ` ${c.variant}` : ''}` : ''}`;
}

function best(
  cells: readonly CompletedCell[],
  what: string,
  metric: (c: CompletedCell) => number | null,
  unit: string,
  direction: 'low' | 'high',
): string | undefined {
  const scored = cells
    .map((c) => ({ c, v: metric(c) }))
    .filter((x): x is { c: CompletedCell; v: number } => x.v !== null && Number.isFinite(x.v))
    .sort((a, b) => (direction === 'low' ? a.v - b.v : b.v - a.v));
  const [first, second] = scored;
  if (!first || !second) return undefined;
  const name = (c: CompletedCell): string => cellName(cells, c);
  const fmt = (v: number): string => (v >= 100 ? v.toFixed(0) : v.toFixed(3));
  const gap = Math.abs(first.v - second.v) / Math.max(Math.abs(second.v), 1e-9);
  if (gap < MIN_RELATIVE_DIFFERENCE) {
    return `${what}: ${name(first.c)} (${fmt(first.v)} ${unit}) and ${name(second.c)} (${fmt(second.v)} ${unit}) are within ${(MIN_RELATIVE_DIFFERENCE * 100).toFixed(0)}% — no clear winner`;
  }
  return `${what}: ${name(first.c)} with ${fmt(first.v)} ${unit} (next: ${name(second.c)}, ${fmt(second.v)} ${unit})`;
}
