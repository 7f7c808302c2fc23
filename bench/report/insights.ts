import type { CompletedCell, Results } from '../results/schema.js';

/** Differences smaller than this are not called a win: one trial per cell cannot resolve them. */
const MIN_RELATIVE_DIFFERENCE = 0.1;

/**
 * The short "what wins where" text: per scenario and network, who had the
 * lowest median latency, the lowest p99, the highest throughput and the
 * fewest wire bytes — each with the numbers, and only when the runner-up is
 * at least 10% behind (otherwise it says the leaders are within noise).
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
    const lines = [
      best(cells, 'lowest median latency', (c) => c.latencyMs.p50, 'ms', 'low'),
      best(cells, 'lowest p99 latency', (c) => c.latencyMs.p99, 'ms', 'low'),
      best(cells, 'highest throughput', (c) => c.throughputRps, 'req/s', 'high'),
      best(cells, 'fewest response bytes on the wire', (c) => c.bytesPerOp.responseWire, 'B/op', 'low'),
    ].filter((l): l is string => l !== undefined);
    out.push(`${title}: ${lines.join('; ')}.`);
  }
  return out;
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
  // Encoding and variant only where they tell two cells of one protocol × transport apart.
  const twin = (c: CompletedCell): boolean =>
    cells.some((o) => o !== c && o.protocol === c.protocol && o.transport === c.transport);
  const name = (c: CompletedCell): string =>
    `${c.protocol}/${c.transport}${twin(c) ? `/${c.encoding}${c.variant ? ` ${c.variant}` : ''}` : ''}`;
  const fmt = (v: number): string => (v >= 100 ? v.toFixed(0) : v.toFixed(3));
  const gap = Math.abs(first.v - second.v) / Math.max(Math.abs(second.v), 1e-9);
  if (gap < MIN_RELATIVE_DIFFERENCE) {
    return `${what}: ${name(first.c)} (${fmt(first.v)} ${unit}) and ${name(second.c)} (${fmt(second.v)} ${unit}) are within ${(MIN_RELATIVE_DIFFERENCE * 100).toFixed(0)}% — no clear winner`;
  }
  return `${what}: ${name(first.c)} with ${fmt(first.v)} ${unit} (next: ${name(second.c)}, ${fmt(second.v)} ${unit})`;
}
