/**
 * Run profiles as data. `quick` (the default) must finish within 3 minutes
 * on 2 cores, with no root and as root (plus `get-small` on an emulated 4g
 * link): every protocol on its default transport, 0.5 s cells, small push
 * scenarios (timed on a shared 2-core VM, see README). `standard` (≤ 15
 * min) and `full` (≤ 60 min) run every transport and
 * trade time for tighter percentiles. The durations and counts here are the
 * ceiling: a plan estimated above `budgetS` is scaled down to fit
 * (bench/protocols/budget.ts), and results.json records by how much.
 */
export interface Profile {
  /**
   * Wall-clock budget (s) of a whole run as root, below the bound
   * (3 / 15 / 60 min) with a margin: the plan is scaled to fit it and a
   * runtime guard keeps to it (bench/protocols/budget.ts).
   */
  readonly budgetS: number;
  readonly warmupS: number;
  readonly durationS: number;
  /** Measure at least this many operations per cell, time permitting. */
  readonly minSamples: number;
  /** A cell never measures longer than durationS × this. */
  readonly maxDurationFactor: number;
  /** Fresh-connection samples for cold TTFB (and the bare-socket handshake probe). */
  readonly coldSamples: number;
  /** `default`: each protocol's first transport only (unless --transports says otherwise); `all`: every one. */
  readonly transports: 'default' | 'all';
  readonly scenarios: readonly string[];
  /** Seconds per offered-load step of the saturation sweep. */
  readonly saturationStepS: number;
  /** Serialization benchmark per task: time budget (ms) and minimum iterations; results.json's `serialization`. */
  readonly serialization: {
    readonly timeMs: number;
    readonly minIterations: number;
    readonly messages: readonly ('small' | 'medium' | 'large' | 'nested')[];
  };
  /** The push scenarios' sizes: subscribers of the one topic, events published, publish rate. */
  readonly fanout: { readonly subscribers: number; readonly messages: number; readonly ratePerS: number };
  /** connections: clients ramped up against one server process, each holding a subscription. */
  readonly connections: { readonly clients: number };
  /** reconnect-storm: subscribers cut at once; events published before and right after the cut. */
  readonly reconnectStorm: {
    readonly subscribers: number;
    readonly eventsBefore: number;
    readonly eventsDuring: number;
  };
  /**
   * The head-of-line experiment's trials per transport: no-drop baselines and
   * single-drop trials, then `sweepTrials` per random-loss rate; `networks`:
   * the profile's emulated networks it runs on (each trial costs real round
   * trips; a network named with --networks always runs it).
   */
  readonly hol: {
    readonly networks: readonly string[];
    readonly baselineTrials: number;
    readonly dropTrials: number;
    readonly sweepLossPct: readonly number[];
    readonly sweepTrials: number;
  };
  /** Emulated networks run by default (as root), after loopback. */
  readonly emulatedNetworks: readonly string[];
  /** Scenarios run on emulated networks (each operation there costs round trips of real delay). */
  readonly emulatedScenarios: readonly string[];
}

const QUICK_SCENARIOS = [
  'get-small',
  'create-small',
  'list-large',
  'many-small',
  'nested',
  'nested-naive',
  'stream-server',
  'stream-client',
  'bidi-echo',
  'fanout',
  'connections',
  'reconnect-storm',
] as const;
/**
 * full runs every scenario, and `fanout-peak`: the 10,000 subscribers on each push protocol's
 * default transport on loopback, a fleet the budget never scales (its cost is estimated, so the rest shrinks).
 */
const EVERY_SCENARIO = [...QUICK_SCENARIOS, 'fanout-peak', 'saturation', 'hol'] as const;
/**
 * standard compares every transport on the request/response scenarios and
 * fanout within 15 minutes (its budget fits these at the floors, with get-small
 * on 4g); create-small, stream-server, stream-client, connections,
 * reconnect-storm, saturation and hol on every transport need full's hour.
 */
const STANDARD_SCENARIOS = [
  'get-small',
  'list-large',
  'many-small',
  'nested',
  'nested-naive',
  'bidi-echo',
  'fanout',
] as const;
/**
 * What full runs on emulated links: the round-trip-bound figures (warm, cold
 * and resumed TTFB per transport) and the head-of-line experiment; every
 * cell on a link pays its cold, resumed and handshake samples in real round
 * trips (~9 s per cell on 4g at the floors), so the rest of the matrix runs
 * on loopback (budget: see budget.ts).
 */
const EMULATED_SCENARIOS = ['get-small', 'hol'] as const;
/** Random loss rates (%) of the head-of-line sweep. */
const HOL_SWEEP = [0, 0.5, 1, 2, 5] as const;

export const PROFILES = {
  quick: {
    budgetS: 170,
    warmupS: 0.2,
    durationS: 0.5,
    minSamples: 100,
    maxDurationFactor: 2,
    coldSamples: 3,
    transports: 'default',
    scenarios: QUICK_SCENARIOS,
    saturationStepS: 1,
    serialization: { timeMs: 20, minIterations: 5, messages: ['small', 'medium', 'nested'] },
    fanout: { subscribers: 50, messages: 20, ratePerS: 50 },
    connections: { clients: 50 },
    reconnectStorm: { subscribers: 25, eventsBefore: 3, eventsDuring: 3 },
    hol: { networks: ['4g'], baselineTrials: 2, dropTrials: 2, sweepLossPct: HOL_SWEEP, sweepTrials: 2 },
    emulatedNetworks: ['4g'],
    emulatedScenarios: ['get-small'],
  },
  standard: {
    budgetS: 840,
    warmupS: 2,
    durationS: 5,
    minSamples: 1_000,
    maxDurationFactor: 3,
    coldSamples: 30,
    transports: 'all',
    scenarios: STANDARD_SCENARIOS,
    saturationStepS: 3,
    serialization: { timeMs: 200, minIterations: 32, messages: ['small', 'medium', 'large', 'nested'] },
    fanout: { subscribers: 1_000, messages: 60, ratePerS: 5 },
    connections: { clients: 2_000 },
    reconnectStorm: { subscribers: 1_000, eventsBefore: 5, eventsDuring: 5 },
    hol: { networks: ['4g'], baselineTrials: 3, dropTrials: 3, sweepLossPct: HOL_SWEEP, sweepTrials: 3 },
    emulatedNetworks: ['4g'],
    emulatedScenarios: ['get-small'],
  },
  full: {
    budgetS: 3400,
    warmupS: 5,
    durationS: 20,
    minSamples: 10_000,
    maxDurationFactor: 3,
    coldSamples: 100,
    transports: 'all',
    scenarios: EVERY_SCENARIO,
    saturationStepS: 10,
    serialization: { timeMs: 1000, minIterations: 64, messages: ['small', 'medium', 'large', 'nested'] },
    // The 10,000-subscriber fleet is fanout-peak's (never scaled); these cells scale with the budget, and at 10/s
    // a scaled fleet's events do not cost the 10 s a cell that 1/s (sized for 10,000 subscribers) did.
    fanout: { subscribers: 10_000, messages: 30, ratePerS: 10 },
    connections: { clients: 10_000 },
    reconnectStorm: { subscribers: 5_000, eventsBefore: 5, eventsDuring: 5 },
    hol: {
      networks: ['broadband', '4g'],
      baselineTrials: 5,
      dropTrials: 8,
      sweepLossPct: HOL_SWEEP,
      sweepTrials: 8,
    },
    emulatedNetworks: ['broadband', '4g', '3g', 'lossy-wifi', 'satellite'],
    emulatedScenarios: EMULATED_SCENARIOS,
  },
} as const satisfies Record<string, Profile>;

export type ProfileName = keyof typeof PROFILES;
