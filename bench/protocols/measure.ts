import { runClosedLoop } from '../load/closed-loop.js';
import { runOpenLoop } from '../load/open-loop.js';
import type { Operation } from '../load/outcome.js';
import type { Counts, LoadSpec } from '../results/schema.js';
import type { LatencyHistogram } from '../stats/latency-histogram.js';

/** What either load model hands back to the cell runner. */
export interface Measurement {
  readonly latency: LatencyHistogram;
  readonly latencyUncorrected?: LatencyHistogram;
  readonly ttfb: LatencyHistogram;
  readonly counts: Counts;
  readonly elapsedNs: number;
  readonly firstFailure?: string;
  readonly pacing?: { offeredRate: number; achievedRate: number; lateSends: number; droppedSends: number };
}

export interface MeasureOptions {
  readonly load: LoadSpec;
  readonly minSamples: number;
  readonly maxDurationFactor: number;
  readonly timeoutMs: number;
  readonly seed: number;
  readonly signal: AbortSignal;
  readonly beforeMeasure: () => Promise<void>;
}

/** Runs the load model the spec names; the only place that chooses between them. */
export async function measure(op: Operation, options: MeasureOptions): Promise<Measurement> {
  const { load } = options;
  if (load.model === 'open') {
    const m = await runOpenLoop(op, {
      ratePerSecond: load.rate ?? 1,
      arrival: load.arrival ?? 'constant',
      seed: options.seed,
      maxInFlight: load.concurrency,
      warmupMs: load.warmupS * 1000,
      durationMs: load.durationS * 1000,
      timeoutMs: options.timeoutMs,
      signal: options.signal,
      beforeMeasure: options.beforeMeasure,
    });
    return {
      ...m,
      pacing: {
        offeredRate: m.offeredRate,
        achievedRate: m.achievedRate,
        lateSends: m.lateSends,
        droppedSends: m.droppedSends,
      },
    };
  }
  return runClosedLoop(op, {
    concurrency: load.concurrency,
    warmupMs: load.warmupS * 1000,
    durationMs: load.durationS * 1000,
    minSamples: options.minSamples,
    maxDurationMs: load.durationS * 1000 * options.maxDurationFactor,
    timeoutMs: options.timeoutMs,
    signal: options.signal,
    beforeMeasure: options.beforeMeasure,
  });
}
