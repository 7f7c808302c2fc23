import type { CompletedCell, Results } from '../results/schema.js';
import { LatencyHistogram } from '../stats/latency-histogram.js';

/** Percentile points of a latency CDF, chosen to show both the body and the tail. */
const CDF_PERCENTILES = [0, 5, 10, 25, 50, 75, 90, 95, 99, 99.5, 99.9, 99.99, 100];

export interface ChartCell {
  readonly label: string;
  readonly protocol: string;
  readonly transport: string;
  readonly percentilesMs: { p50: number; p90: number; p99: number; p999: number };
  /** [percentile, ms] pairs from the cell's HDR histogram. */
  readonly cdf: readonly (readonly [number, number])[];
  readonly throughputRps: number;
  readonly bytes: {
    requestBody: number;
    requestOverhead: number | null;
    responseBody: number;
    responseOverhead: number | null;
  };
}

export interface ChartScenario {
  readonly title: string;
  readonly cells: readonly ChartCell[];
}

/** One saturation curve: [offered req/s, p50 ms, p99 ms] per step. */
export interface SaturationCurve {
  readonly label: string;
  readonly points: readonly (readonly [number, number, number])[];
  readonly kneeRps: number | null;
}

/** Latency against offered load for every cell that ran the saturation sweep. */
export function saturationCurves(results: Results): SaturationCurve[] {
  return results.cells.flatMap((c) =>
    c.state === 'completed' && c.saturation
      ? [
          {
            label: `${c.protocol}/${c.transport} · ${c.network}`,
            points: c.saturation.steps.map((s) => [s.offeredRps, s.p50Ms, s.p99Ms] as const),
            kneeRps: c.saturation.kneeRps,
          },
        ]
      : [],
  );
}

/**
 * Reduces results.json to what the charts draw. The CDF comes from each
 * cell's encoded HDR histogram, so the report can be regenerated from
 * results.json alone.
 */
export function chartData(results: Results): ChartScenario[] {
  const groups = new Map<string, ChartCell[]>();
  for (const cell of results.cells) {
    if (cell.state !== 'completed') continue;
    const title = `${cell.scenario} · ${cell.network}`;
    groups.set(title, [...(groups.get(title) ?? []), toChartCell(cell)]);
  }
  return [...groups].map(([title, cells]) => ({ title, cells }));
}

function toChartCell(cell: CompletedCell): ChartCell {
  const histogram = LatencyHistogram.decode(cell.latencyHistogram);
  const { requestBody, responseBody, requestWire, responseWire } = cell.bytesPerOp;
  return {
    label: `${cell.protocol}/${cell.transport}/${cell.encoding}${cell.variant ? ` ${cell.variant}` : ''}`,
    protocol: cell.protocol,
    transport: cell.transport,
    percentilesMs: {
      p50: cell.latencyMs.p50,
      p90: cell.latencyMs.p90,
      p99: cell.latencyMs.p99,
      p999: cell.latencyMs.p999,
    },
    cdf: CDF_PERCENTILES.map((p) => [p, histogram.percentileNs(p) / 1e6] as const),
    throughputRps: cell.throughputRps,
    bytes: {
      requestBody,
      requestOverhead: requestWire === null ? null : Math.max(0, requestWire - requestBody),
      responseBody,
      responseOverhead: responseWire === null ? null : Math.max(0, responseWire - responseBody),
    },
  };
}
