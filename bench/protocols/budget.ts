import { type CellShape, estimateCellS, type LinkCost, linkCost, networkSetupS, tailS } from './estimate.js';
import type { Profile } from './profiles.js';

/**
 * A profile's wall-clock budget, kept the way k6's `maxDuration` and wrk2's
 * fixed `-d` keep theirs: the plan is estimated before anything starts and
 * the profile is scaled down to fit (never below floors that keep the
 * numbers meaningful); while running, a deadline guard shrinks the next
 * cells further and, when even the floors cannot fit, records the rest as
 * skipped with the reason. Both steps are written to results.json
 * (`run.budget`), so every shortened figure is explainable.
 */

/** The smallest values scaling may reach (or the profile's own value, when that is smaller already). */
export const FLOORS = {
  warmupS: 0.2,
  durationS: 0.5,
  minSamples: 100,
  coldSamples: 3,
  saturationStepS: 0.5,
  holTrials: 2,
  serializationTimeMs: 20,
  fanoutSubscribers: 50,
  fanoutMessages: 10,
  connectionsClients: 50,
  stormSubscribers: 25,
} as const;

const down = (value: number, factor: number, floor: number): number =>
  Math.min(value, Math.max(floor, value * factor));
const downInt = (value: number, factor: number, floor: number): number =>
  Math.min(value, Math.max(floor, Math.round(value * factor)));

/**
 * The profile at `scale` in [0, 1]: warm-up, durations, sample counts,
 * trials, events published and push fleet sizes × scale, each clamped to
 * its floor (or the profile's own value when that is smaller). One factor
 * for all, so a scaled run keeps the profile's proportions.
 */
export function scaleProfile(profile: Profile, scale: number): Profile {
  return {
    ...profile,
    warmupS: down(profile.warmupS, scale, FLOORS.warmupS),
    durationS: down(profile.durationS, scale, FLOORS.durationS),
    minSamples: downInt(profile.minSamples, scale, FLOORS.minSamples),
    coldSamples: downInt(profile.coldSamples, scale, FLOORS.coldSamples),
    saturationStepS: down(profile.saturationStepS, scale, FLOORS.saturationStepS),
    serialization: {
      ...profile.serialization,
      timeMs: down(profile.serialization.timeMs, scale, FLOORS.serializationTimeMs),
    },
    hol: {
      ...profile.hol,
      baselineTrials: downInt(profile.hol.baselineTrials, scale, FLOORS.holTrials),
      dropTrials: downInt(profile.hol.dropTrials, scale, FLOORS.holTrials),
      sweepTrials: downInt(profile.hol.sweepTrials, scale, FLOORS.holTrials),
    },
    fanout: {
      ...profile.fanout,
      subscribers: downInt(profile.fanout.subscribers, scale, FLOORS.fanoutSubscribers),
      messages: downInt(profile.fanout.messages, scale, FLOORS.fanoutMessages),
    },
    connections: { clients: downInt(profile.connections.clients, scale, FLOORS.connectionsClients) },
    reconnectStorm: {
      ...profile.reconnectStorm,
      subscribers: downInt(profile.reconnectStorm.subscribers, scale, FLOORS.stormSubscribers),
    },
  };
}

/** The planned run the estimator reads: runnable cells in run order and the networks they open. */
export interface BudgetInput {
  readonly profile: Profile;
  readonly cells: readonly CellShape[];
  /** --duration: fixed measured seconds per cell, never scaled. */
  readonly fixedDurationS: number | undefined;
}

const links = new Map<string, LinkCost>();
/** The link cost of a network, resolved once per name. */
export function cachedLink(network: string): LinkCost {
  let link = links.get(network);
  if (!link) {
    link = linkCost(network);
    links.set(network, link);
  }
  return link;
}

/** The measured seconds per cell at this profile: the flag's when given, else the (scaled) profile's. */
export function durationOf(profile: Profile, fixedDurationS: number | undefined): number {
  return fixedDurationS ?? profile.durationS;
}

/**
 * Estimated seconds of `cells` (and the setup of each network they touch,
 * except `openNetwork`, already up) at `profile`.
 */
export function estimateCells(
  cells: readonly CellShape[],
  profile: Profile,
  fixedDurationS: number | undefined,
  openNetwork?: string,
): number {
  const d = durationOf(profile, fixedDurationS);
  let total = 0;
  const networks = new Set<string>(openNetwork === undefined ? [] : [openNetwork]);
  for (const cell of cells) {
    const link = cachedLink(cell.network);
    if (!networks.has(cell.network)) {
      networks.add(cell.network);
      total += networkSetupS(link);
    }
    total += estimateCellS(cell, profile, d, link);
  }
  return total;
}

/** The whole run: matrix + serialization benchmark + reports. */
export function estimateRun(input: BudgetInput, at = 1): number {
  const profile = scaleProfile(input.profile, at);
  return estimateCells(input.cells, profile, input.fixedDurationS) + tailS(profile);
}

/** The outcome of fitting a plan into its budget. */
export interface BudgetFit {
  readonly budgetS: number;
  /** The scale chosen (1 = the profile as written). */
  readonly scale: number;
  /** The estimate at the profile as written, and at the chosen scale. */
  readonly unscaledS: number;
  readonly estimateS: number;
  /** False when even the floors exceed the budget: the runtime guard will skip the cells that do not fit. */
  readonly fits: boolean;
}

/** The largest scale whose estimate fits `budgetS` (the estimate grows with the scale, so bisection finds it). */
export function fitBudget(input: BudgetInput, budgetS: number): BudgetFit {
  const { scale, fits } = fitScale((x) => estimateRun(input, x), budgetS);
  return { budgetS, scale, unscaledS: estimateRun(input), estimateS: estimateRun(input, scale), fits };
}

/**
 * The largest scale at or below `ceiling` with `cost(scale) ≤ availableS`;
 * `fits: false` (and scale 0, the floors) when even the floors cost more.
 * `cost` must grow with the scale.
 */
export function fitScale(
  cost: (scale: number) => number,
  availableS: number,
  ceiling = 1,
): { scale: number; fits: boolean } {
  if (cost(ceiling) <= availableS) return { scale: ceiling, fits: true };
  if (cost(0) > availableS) return { scale: 0, fits: false };
  let lo = 0;
  let hi = ceiling;
  while (hi - lo > 0.0005) {
    const mid = (lo + hi) / 2;
    if (cost(mid) <= availableS) lo = mid;
    else hi = mid;
  }
  // Rounded down to 1/1000, so the recorded scale is the one that fits.
  return { scale: Math.floor(lo * 1000) / 1000, fits: true };
}
