/**
 * Fixed-bucket histogram of timer lateness in milliseconds, 10 µs buckets
 * from -5 ms to +95 ms (plus overflow). Cheap enough to record every packet
 * and precise enough for the p50/p99 the emulator reports about itself.
 */
export class LatenessHistogram {
  private static readonly MIN_MS = -5;
  private static readonly STEP_MS = 0.01;
  private readonly buckets = new Uint32Array(10_001);
  private total = 0;
  private maxMs = Number.NEGATIVE_INFINITY;

  record(ms: number): void {
    const i = Math.floor((ms - LatenessHistogram.MIN_MS) / LatenessHistogram.STEP_MS);
    const index = i < 0 ? 0 : i >= this.buckets.length ? this.buckets.length - 1 : i;
    this.buckets[index] = (this.buckets[index] ?? 0) + 1;
    this.total++;
    if (ms > this.maxMs) this.maxMs = ms;
  }

  get count(): number {
    return this.total;
  }

  /** The upper edge of the bucket holding quantile `q` (0..1), or null when empty. */
  quantile(q: number): number | null {
    if (this.total === 0) return null;
    const rank = Math.max(1, Math.ceil(q * this.total));
    let seen = 0;
    for (let i = 0; i < this.buckets.length; i++) {
      seen += this.buckets[i] ?? 0;
      if (seen >= rank) return LatenessHistogram.MIN_MS + (i + 1) * LatenessHistogram.STEP_MS;
    }
    return this.maxMs;
  }

  summary(): { p50: number | null; p99: number | null; max: number | null; count: number } {
    const round = (v: number | null): number | null => (v === null ? null : Math.round(v * 1000) / 1000);
    return {
      p50: round(this.quantile(0.5)),
      p99: round(this.quantile(0.99)),
      max: this.total === 0 ? null : round(this.maxMs),
      count: this.total,
    };
  }
}
