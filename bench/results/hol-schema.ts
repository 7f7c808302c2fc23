import type { DropRecord, DropRule } from '../../netem/index.js';

/** A mean over trials with its 95% confidence interval (percentile bootstrap over trials, seeded). */
export interface MeanCi {
  readonly mean: number;
  readonly low: number;
  readonly high: number;
}

/** A statistic of pooled per-object completions with its 95% CI (trials resampled, seeded). */
export interface StatCi {
  readonly value: number;
  readonly low: number;
  readonly high: number;
}

/** One trial of the deterministic experiment: every object's completion and its delay against the baseline. */
export interface HolDropTrial {
  /** Per object (in request order), ms from the common start to its last byte. */
  readonly completionMs: readonly number[];
  /** completionMs − that object's baseline (median of the no-drop trials). */
  readonly delayMs: readonly number[];
  /** Objects whose delay exceeds the threshold. */
  readonly objectsDelayed: number;
  /** What the emulator dropped for this trial (null: the rule never fired — the trial is invalid). */
  readonly drop: DropRecord | null;
}

/** One loss rate of the sweep. */
export interface HolSweepPoint {
  readonly lossPct: number;
  readonly trials: number;
  /** Per trial: its objects' p50/p95 and the batch's completion (the last object). */
  readonly perTrial: readonly { p50: number; p95: number; total: number }[];
  /** Pooled over every object of every trial. */
  readonly p50: StatCi;
  readonly p95: StatCi;
  readonly max: StatCi;
  /** Batch completion (all objects), mean over trials. */
  readonly total: MeanCi;
  /** Packets the emulator's random loss dropped during the measured fetches (both directions). */
  readonly packetsLost: number;
}

/**
 * The `hol` block of a hol cell in results.json: the deterministic single
 * drop against a no-drop baseline, then the random-loss sweep. All times in
 * ms; per-object arrays are in request order (object i is the same request
 * in every trial).
 */
export interface HolBlock {
  readonly objects: number;
  /** Mean response body per object (protobuf JSON) in the single-drop trials, and in the loss sweep. */
  readonly objectBytes: number;
  readonly sweepObjectBytes: number;
  readonly connections: number;
  /** The link's configured RTT, and the delay above which an object counts as delayed. */
  readonly rttMs: number;
  readonly thresholdMs: number;
  readonly rule: DropRule;
  readonly deterministic: {
    readonly baselineTrials: number;
    /** Per object: median completion over the no-drop trials. */
    readonly baselineMs: readonly number[];
    /** Per object: median completion over the drop trials. */
    readonly dropMs: readonly number[];
    readonly trials: readonly HolDropTrial[];
    /** Objects delayed, over the drop trials. */
    readonly objectsDelayed: {
      readonly mean: number;
      readonly median: number;
      readonly min: number;
      readonly max: number;
    };
    /** Delays of every object in every drop trial. */
    readonly delayMs: { readonly p50: number; readonly p95: number; readonly max: number };
  };
  readonly sweep: readonly HolSweepPoint[];
  /** Seeds the emulator's loss per sweep trial and the bootstrap. */
  readonly seed: number;
}
