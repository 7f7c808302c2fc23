import type { CompletedCell } from '../results/schema.js';
import {
  bootstrapQuantileDifference,
  type DifferenceCi,
  type Empirical,
  quantileRank,
  significantlyBetter,
  sizeOf,
  valueAtRank,
} from '../stats/bootstrap.js';
import { LatencyHistogram } from '../stats/latency-histogram.js';

/** A column that can be marked: a quantile of one of the cell's recorded histograms. */
export interface MarkableMetric {
  readonly id: 'p50' | 'p99' | 'ttfbP50' | 'ttfbColdP50';
  readonly label: string;
  readonly quantile: number;
  readonly histogram: (c: CompletedCell) => string | undefined;
}

export const MARKABLE_METRICS: readonly MarkableMetric[] = [
  { id: 'p50', label: 'p50 latency', quantile: 0.5, histogram: (c) => c.latencyHistogram },
  { id: 'p99', label: 'p99 latency', quantile: 0.99, histogram: (c) => c.latencyHistogram },
  { id: 'ttfbP50', label: 'TTFB p50', quantile: 0.5, histogram: (c) => c.ttfbHistogram },
  { id: 'ttfbColdP50', label: 'cold TTFB p50', quantile: 0.5, histogram: (c) => c.ttfbColdHistogram },
];

/** The verdict for one column of one table: who led, against whom, and whether the lead is significant. */
export interface Verdict {
  readonly metric: MarkableMetric['id'];
  readonly best: CompletedCell;
  readonly runnerUp: CompletedCell;
  /** best − runner-up, in ns. */
  readonly ci: DifferenceCi;
  readonly significant: boolean;
}

export const BOOTSTRAP_REPLICATES = 2000;
export const CONFIDENCE = 0.95;

/**
 * For each markable column of one table (one scenario on one network), the
 * cell with the lowest value against the runner-up: a seeded percentile
 * bootstrap of the difference of their quantiles over the per-operation
 * samples in the cells' HDR histograms. The best is marked only when the
 * 95% CI of the difference excludes 0 — one run per cell, so the samples
 * within it are the only evidence of spread. The seed is the run's, mixed
 * with the table and column names, so a report is reproducible and each
 * comparison draws its own stream.
 */
export function verdicts(title: string, cells: readonly CompletedCell[], runSeed: number): Verdict[] {
  const out: Verdict[] = [];
  const decoded = new Map<string, Empirical>();
  const empirical = (encoded: string): Empirical => {
    let d = decoded.get(encoded);
    if (!d) {
      d = LatencyHistogram.decode(encoded).distribution();
      decoded.set(encoded, d);
    }
    return d;
  };
  for (const metric of MARKABLE_METRICS) {
    const scored = cells
      .map((cell) => {
        const encoded = metric.histogram(cell);
        if (!encoded) return undefined;
        const d = empirical(encoded);
        const n = sizeOf(d);
        return n === 0 ? undefined : { cell, d, v: valueAtRank(d, quantileRank(metric.quantile, n)) };
      })
      .filter((x) => x !== undefined)
      .sort((x, y) => x.v - y.v);
    const [first, second] = scored;
    if (!first || !second) continue;
    const ci = bootstrapQuantileDifference(first.d, second.d, metric.quantile, {
      seed: comparisonSeed(runSeed, `${title}|${metric.id}`),
      replicates: BOOTSTRAP_REPLICATES,
      confidence: CONFIDENCE,
    });
    out.push({
      metric: metric.id,
      best: first.cell,
      runnerUp: second.cell,
      ci,
      significant: significantlyBetter(ci, 'low'),
    });
  }
  return out;
}

/** The run's seed mixed with a label (FNV-1a), so every comparison has its own reproducible stream. */
export function comparisonSeed(runSeed: number, label: string): number {
  let hash = 0x811c9dc5 ^ (runSeed >>> 0);
  for (let i = 0; i < label.length; i++) {
    hash ^= label.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash | 0;
}

/** The legend report.md prints above its tables, so a reader knows what a bold figure claims. */
export function significanceLegend(runSeed: number): string {
  return (
    `**Bold** = the best (lowest) in its column of that table, marked only where the difference to the runner-up is ` +
    `significant: a percentile bootstrap (${BOOTSTRAP_REPLICATES} replicates, seed ${runSeed} mixed with the table and column name) ` +
    `of the difference of the two cells' quantiles, resampling each cell's per-operation samples from its HDR histogram; ` +
    `marked when the ${CONFIDENCE * 100}% CI excludes 0. Columns compared: p50 and p99 latency, TTFB p50 and cold TTFB p50 ` +
    '(cold: few samples, so rarely marked). Throughput and bytes are one figure per cell (no sample of them to resample) and are never marked. ' +
    'The bootstrap treats a cell’s samples as independent; where they are not (queueing under load, one publish fanned out to every subscriber) the interval is optimistic — rerun to confirm a close call.'
  );
}
