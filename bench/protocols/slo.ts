import { UsageError } from '../../lib/cli.js';
import type { Cell } from '../results/schema.js';

const METRICS = ['p50', 'p90', 'p95', 'p99', 'p999', 'max'] as const;
type Metric = (typeof METRICS)[number];

/** A latency objective such as `p99<200ms`, checked against every completed cell. */
export interface Slo {
  readonly text: string;
  readonly metric: Metric;
  readonly limitMs: number;
}

/** Parses `p99<200ms` / `p50<1.5ms` / `max<2s`. */
export function parseSlo(text: string): Slo {
  const match = /^(p50|p90|p95|p99|p999|max)\s*<\s*(\d+(?:\.\d+)?)\s*(ms|s|us)$/.exec(text.trim());
  if (!match) {
    throw new UsageError(
      `--slo: expected <${METRICS.join('|')}><<number><ms|s|us> like 'p99<200ms', got "${text}"`,
    );
  }
  const value = Number(match[2]);
  const unit = match[3];
  const limitMs = unit === 's' ? value * 1000 : unit === 'us' ? value / 1000 : value;
  return { text: text.trim(), metric: match[1] as Metric, limitMs };
}

export interface SloBreach {
  readonly slo: string;
  readonly cell: string;
  readonly actualMs: number;
}

/** Every (SLO, completed cell) pair over its limit. Failed cells breach every SLO: no figure is not a pass. */
export function checkSlos(slos: readonly Slo[], cells: readonly Cell[]): SloBreach[] {
  const breaches: SloBreach[] = [];
  for (const slo of slos) {
    for (const cell of cells) {
      const name = `${cell.scenario}/${cell.protocol}/${cell.transport}/${cell.network}`;
      if (cell.state === 'failed') breaches.push({ slo: slo.text, cell: name, actualMs: Number.NaN });
      if (cell.state !== 'completed') continue;
      const actual = cell.latencyMs[slo.metric];
      if (actual >= slo.limitMs) breaches.push({ slo: slo.text, cell: name, actualMs: actual });
    }
  }
  return breaches;
}
