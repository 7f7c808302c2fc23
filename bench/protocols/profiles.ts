/**
 * Run profiles as data. `quick` must finish in about a minute on 2 cores
 * with no root; `standard` and `full` trade time for tighter percentiles.
 */
export interface Profile {
  readonly warmupS: number;
  readonly durationS: number;
  /** Measure at least this many operations per cell, time permitting. */
  readonly minSamples: number;
  /** A cell never measures longer than durationS × this. */
  readonly maxDurationFactor: number;
  /** Fresh-connection samples for cold TTFB. */
  readonly coldSamples: number;
  readonly scenarios: readonly string[];
}

export const PROFILES = {
  quick: {
    warmupS: 1,
    durationS: 3,
    minSamples: 200,
    maxDurationFactor: 2,
    coldSamples: 10,
    scenarios: ['get-small', 'list-large'],
  },
  standard: {
    warmupS: 3,
    durationS: 10,
    minSamples: 2_000,
    maxDurationFactor: 3,
    coldSamples: 50,
    scenarios: ['get-small', 'list-large'],
  },
  full: {
    warmupS: 5,
    durationS: 30,
    minSamples: 10_000,
    maxDurationFactor: 3,
    coldSamples: 200,
    scenarios: ['get-small', 'list-large'],
  },
} as const satisfies Record<string, Profile>;

export type ProfileName = keyof typeof PROFILES;
