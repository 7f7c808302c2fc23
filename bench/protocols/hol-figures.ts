import type { DropRecord } from '../../netem/index.js';
import type { HolBlock, HolDropTrial, HolSweepPoint } from '../results/hol-schema.js';
import { meanCi, median, pooledQuantileCi, quantile } from './hol-stats.js';

/** One trial's measured fetch: per object, completion and first byte (ms), or null where it failed. */
export interface TrialOutcome {
  readonly completionMs: (number | null)[];
  readonly firstByteMs: (number | null)[];
  readonly connectMs: number;
}

/** A trial in which every object completed. */
export type CompleteTrial = Omit<TrialOutcome, 'completionMs'> & { readonly completionMs: number[] };

export const complete = (o: TrialOutcome): o is CompleteTrial => o.completionMs.every((v) => v !== null);

/**
 * The single-drop figures: each object's baseline (median over the no-drop
 * trials), each drop trial's per-object delay against it, and how many
 * objects each drop delayed beyond `thresholdMs`.
 */
export function deterministicFigures(
  objects: number,
  baselines: readonly CompleteTrial[],
  drops: readonly { outcome: CompleteTrial; drop: DropRecord }[],
  thresholdMs: number,
): HolBlock['deterministic'] {
  const index = Array.from({ length: objects }, (_, i) => i);
  const baselineMs = index.map((i) => median(baselines.map((b) => b.completionMs[i]!)));
  const trials: HolDropTrial[] = drops.map(({ outcome, drop }) => {
    const completionMs = outcome.completionMs;
    const delayMs = completionMs.map((c, i) => c - baselineMs[i]!);
    return { completionMs, delayMs, objectsDelayed: delayMs.filter((d) => d > thresholdMs).length, drop };
  });
  const delayed = trials.map((t) => t.objectsDelayed);
  const allDelays = trials.flatMap((t) => t.delayMs);
  return {
    baselineTrials: baselines.length,
    baselineMs,
    dropMs: index.map((i) => median(trials.map((t) => t.completionMs[i]!))),
    trials,
    objectsDelayed: {
      mean: delayed.reduce((s, n) => s + n, 0) / delayed.length,
      median: median(delayed),
      min: Math.min(...delayed),
      max: Math.max(...delayed),
    },
    delayMs: { p50: quantile(allDelays, 0.5), p95: quantile(allDelays, 0.95), max: Math.max(...allDelays) },
  };
}

/** One loss rate's figures from its complete trials, or null when none completed. */
export function sweepPoint(
  lossPct: number,
  outcomes: readonly TrialOutcome[],
  packetsLost: number,
  seed: number,
): HolSweepPoint | null {
  const trials = outcomes.map((o) => o.completionMs).filter((c): c is number[] => c.every((v) => v !== null));
  if (trials.length === 0) return null;
  return {
    lossPct,
    trials: trials.length,
    perTrial: trials.map((t) => ({
      p50: quantile(t, 0.5),
      p95: quantile(t, 0.95),
      total: Math.max(...t),
    })),
    p50: pooledQuantileCi(trials, 0.5, seed),
    p95: pooledQuantileCi(trials, 0.95, seed + 1),
    max: pooledQuantileCi(trials, 1, seed + 2),
    total: meanCi(
      trials.map((t) => Math.max(...t)),
      seed + 3,
    ),
    packetsLost,
  };
}
