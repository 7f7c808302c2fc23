import { runClosedLoop } from './closed-loop.js';
import { runOpenLoop } from './open-loop.js';
import type { Operation } from './outcome.js';

export interface SaturationOptions {
  /** Offered load per step, as fractions of the capacity estimate. */
  readonly factors: readonly number[];
  readonly stepMs: number;
  readonly warmupMs: number;
  /** Concurrency of the closed-loop burst that estimates capacity. */
  readonly probeConcurrency: number;
  readonly maxInFlight: number;
  readonly timeoutMs: number;
  readonly seed: number;
  readonly signal?: AbortSignal;
}

export interface SaturationStep {
  readonly offeredRps: number;
  readonly achievedRps: number;
  /** Completed operations per second: λ in Little's law. */
  readonly throughputRps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Time-averaged calls in flight, measured: L. */
  readonly meanInFlight: number;
  /** λ × W with W the mean time in flight (actual send → last byte). */
  readonly littleLambdaW: number;
  readonly errors: number;
}

export interface SaturationResult {
  readonly capacityEstimateRps: number;
  readonly steps: readonly SaturationStep[];
  /** The highest offered load before the knee; null when no step saturated. */
  readonly kneeRps: number | null;
  /** Which rule found the knee. */
  readonly kneeReason: string | null;
}

/** A step is past the knee when throughput falls 5% short of the offer or p99 triples the baseline's. */
const SHORTFALL = 0.95;
const TAIL_GROWTH = 3;

/**
 * Latency against offered load (curriculum §16.0: "load until saturation,
 * find the knee"). A closed-loop burst estimates capacity; then open-loop
 * steps at fixed fractions of it measure corrected latency, achieved rate
 * and the mean number in flight, so Little's law (L = λW) can be checked at
 * every step. Stops early once two consecutive steps are past the knee.
 */
export async function runSaturation(op: Operation, options: SaturationOptions): Promise<SaturationResult> {
  const probe = await runClosedLoop(op, {
    concurrency: options.probeConcurrency,
    warmupMs: options.warmupMs,
    durationMs: options.stepMs,
    minSamples: 1,
    maxDurationMs: options.stepMs * 2,
    timeoutMs: options.timeoutMs,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const capacity = probe.counts.ok / (probe.elapsedNs / 1e9);
  const steps: SaturationStep[] = [];
  let knee: { rps: number; reason: string } | undefined;
  let pastKnee = 0;
  for (const [i, factor] of options.factors.entries()) {
    if (options.signal?.aborted || pastKnee >= 2) break;
    const offered = Math.max(1, capacity * factor);
    const m = await runOpenLoop(op, {
      ratePerSecond: offered,
      arrival: 'poisson',
      seed: options.seed + i,
      maxInFlight: options.maxInFlight,
      warmupMs: 0,
      durationMs: options.stepMs,
      timeoutMs: options.timeoutMs,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const throughput = m.counts.ok / (m.elapsedNs / 1e9);
    const w = m.latencyUncorrected.summaryMs().mean / 1000;
    const step: SaturationStep = {
      offeredRps: m.offeredRate,
      achievedRps: m.achievedRate,
      throughputRps: throughput,
      p50Ms: m.latency.summaryMs().p50,
      p99Ms: m.latency.summaryMs().p99,
      meanInFlight: m.meanInFlight,
      littleLambdaW: throughput * w,
      errors: m.counts.errors + m.counts.timeouts + m.counts.mismatches,
    };
    steps.push(step);
    const baseline = steps[0];
    const reason =
      throughput < SHORTFALL * m.offeredRate
        ? `throughput ${throughput.toFixed(0)}/s fell short of the offered ${m.offeredRate.toFixed(0)}/s`
        : baseline && step.p99Ms > TAIL_GROWTH * baseline.p99Ms && i > 0
          ? `p99 ${step.p99Ms.toFixed(2)} ms exceeded ${TAIL_GROWTH}× the lightest load's ${baseline.p99Ms.toFixed(2)} ms`
          : undefined;
    if (reason) {
      pastKnee++;
      const previous = steps.at(-2);
      knee ??= { rps: previous?.offeredRps ?? 0, reason };
    }
  }
  return {
    capacityEstimateRps: capacity,
    steps,
    kneeRps: knee?.rps ?? null,
    kneeReason: knee?.reason ?? null,
  };
}
