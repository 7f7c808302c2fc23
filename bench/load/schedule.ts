import { Random } from '../../services/core/index.js';

export type ArrivalProcess = 'constant' | 'poisson';

/**
 * Intended send times for open-loop load, as offsets in ns from the start.
 * Constant: every 1/rate. Poisson: exponential gaps with mean 1/rate, drawn
 * from a seeded generator so two runs offer the identical arrival pattern.
 * Offsets are absolute, so a late timer never shifts later arrivals (no drift).
 */
export class ArrivalSchedule {
  private offsetNs = 0;
  private readonly meanGapNs: number;
  private readonly random: Random | undefined;

  constructor(ratePerSecond: number, process: ArrivalProcess, seed: number) {
    if (!(ratePerSecond > 0)) throw new RangeError(`rate: expected > 0 per second, got ${ratePerSecond}`);
    this.meanGapNs = 1e9 / ratePerSecond;
    this.random = process === 'poisson' ? new Random(seed) : undefined;
  }

  /** The next intended send time, ns after the start. */
  next(): number {
    const current = this.offsetNs;
    const gap = this.random ? -Math.log(1 - this.random.float()) * this.meanGapNs : this.meanGapNs;
    this.offsetNs += gap;
    return current;
  }
}
