import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator';
import type { ReconnectOptions } from './types.js';

/** Defaults for ReconnectOptions (the first delay defaults to the server's hint, see `delayMs`). */
export const RECONNECT_DEFAULTS = {
  initialDelayMs: 100,
  maxDelayMs: 5000,
  jitter: 0.5,
  maxAttempts: 10,
  seed: 1,
} as const;

/**
 * Exponential backoff with seeded jitter: attempt n (0-based) waits
 * min(max, initial · 2ⁿ) scaled by a factor in [1 − jitter, 1]. The factor
 * comes from xoroshiro128+ seeded per client, never Math.random, so a run
 * with the same seed reconnects on the same schedule.
 */
export class Backoff {
  readonly maxAttempts: number;
  private readonly rng: RandomGenerator;

  constructor(private readonly options: ReconnectOptions = {}) {
    this.maxAttempts = options.maxAttempts ?? RECONNECT_DEFAULTS.maxAttempts;
    this.rng = xoroshiro128plus(options.seed ?? RECONNECT_DEFAULTS.seed);
  }

  /** The delay before attempt `attempt` (0-based); `hintMs` is the server's suggestion, if any. */
  delayMs(attempt: number, hintMs?: number): number {
    const initial = this.options.initialDelayMs ?? hintMs ?? RECONNECT_DEFAULTS.initialDelayMs;
    const max = this.options.maxDelayMs ?? RECONNECT_DEFAULTS.maxDelayMs;
    const jitter = Math.min(1, Math.max(0, this.options.jitter ?? RECONNECT_DEFAULTS.jitter));
    const base = Math.min(max, initial * 2 ** Math.min(attempt, 30));
    return base * (1 - jitter * uniformFloat64(this.rng));
  }
}

/** Waits `ms`, or less if `signal` aborts (then it resolves, it does not throw). */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
