import type { RunBudget } from '../results/schema.js';
import { type BudgetFit, type BudgetInput, estimateCells, fitScale, scaleProfile } from './budget.js';
import { type CellShape, tailS } from './estimate.js';
import type { Profile } from './profiles.js';

/** What results.json records under `run.budget` (schema: bench/results/schema.ts). */
export type BudgetRecord = RunBudget;

/** Before a cell: run it with this profile, or skip it with this reason. */
export type GuardDecision =
  | { readonly kind: 'run'; readonly profile: Profile; readonly scale: number }
  | { readonly kind: 'skip'; readonly reason: string };

/**
 * The runtime half of the budget: a deadline `budgetS` after construction
 * (on an injectable clock). Before each cell it compares the estimated cost
 * of everything left (the serialization benchmark and reports included)
 * with the time left; when it no longer fits it lowers the scale for the
 * rest of the run (never raises it again, never below the floors), and once
 * a cell cannot fit even at the floors (next to the floor cost of the
 * networks still to come, so a late network is not starved), that cell and
 * the rest of its network are skipped with "profile budget of N s
 * exhausted" — recorded, never dropped.
 */
export class BudgetGuard {
  readonly #startMs: number;
  #scale: number;
  /** Networks whose remaining cells no longer fit. */
  readonly #exhausted = new Set<string>();
  #rescaled = 0;
  #skipped = 0;

  constructor(
    private readonly input: BudgetInput,
    private readonly fit: BudgetFit,
    private readonly now: () => number = Date.now,
    /** When the budget's clock started (main: the process start, so start-up counts too). */
    startMs: number = now(),
  ) {
    this.#startMs = startMs;
    this.#scale = fit.scale;
  }

  get reason(): string {
    return `profile budget of ${this.fit.budgetS} s exhausted`;
  }

  /** Seconds left before the deadline. */
  remainingS(): number {
    return this.fit.budgetS - (this.now() - this.#startMs) / 1000;
  }

  /**
   * Decides for `remaining[0]`, given every runnable cell still to come in
   * run order (`remaining`); `openNetwork` is the network already up (ask
   * before opening a network to count its setup too).
   */
  beforeCell(remaining: readonly CellShape[], openNetwork?: string): GuardDecision {
    const cell = remaining[0];
    if (!cell) return this.#skip(undefined);
    if (this.#exhausted.has(cell.network)) return this.#skip(cell.network);
    const cost = (at: number): number => {
      const profile = scaleProfile(this.input.profile, at);
      return estimateCells(remaining, profile, this.input.fixedDurationS, openNetwork) + tailS(profile);
    };
    const available = this.remainingS();
    const { scale, fits } = fitScale(cost, available, this.#scale);
    this.#scale = scale;
    const profile = scaleProfile(this.input.profile, scale);
    if (!fits) {
      // The rest cannot fit even at the floors: run this cell at the floors if it fits together with the later
      // networks' cells at their floors (each network keeps its share), else this network's cells stop here.
      const later = remaining.filter((c) => c.network !== cell.network);
      const reserve = later.length > 0 ? estimateCells(later, profile, this.input.fixedDurationS) : 0;
      const own = estimateCells([cell], profile, this.input.fixedDurationS, openNetwork) + tailS(profile);
      if (own + reserve > available) return this.#skip(cell.network);
    }
    if (scale < this.fit.scale) this.#rescaled++;
    return { kind: 'run', profile, scale };
  }

  /** Cells recorded as skipped for the budget without a decision each (the rest of a network). */
  skipMany(count: number): void {
    this.#skipped += count;
  }

  #skip(network: string | undefined): GuardDecision {
    if (network !== undefined) this.#exhausted.add(network);
    this.#skipped++;
    return { kind: 'skip', reason: this.reason };
  }

  /** The record for results.json, with the elapsed time so far. */
  record(): BudgetRecord {
    return {
      budgetS: this.fit.budgetS,
      unscaledEstimateS: round1(this.fit.unscaledS),
      estimateS: round1(this.fit.estimateS),
      scale: this.fit.scale,
      finalScale: this.#scale,
      rescaledCells: this.#rescaled,
      skippedCells: this.#skipped,
      elapsedS: round1((this.now() - this.#startMs) / 1000),
      durationFixed: this.input.fixedDurationS !== undefined,
    };
  }
}

const round1 = (x: number): number => Math.round(x * 10) / 10;
