import * as hdr from 'hdr-histogram-js';

/** Percentiles of one distribution, in milliseconds (floating point), as results.json stores them. */
export interface PercentilesMs {
  readonly p50: number;
  readonly p90: number;
  readonly p95: number;
  readonly p99: number;
  readonly p999: number;
  readonly max: number;
  /** Secondary figure only: a mean hides the tail. */
  readonly mean: number;
  readonly min: number;
  readonly count: number;
}

/** 2 minutes in ns: anything slower is a timeout, not a latency. */
const HIGHEST_NS = 120e9;

/**
 * An HDR histogram of durations recorded in nanoseconds with 3 significant
 * digits (0.1% value resolution), so sub-millisecond loopback calls and
 * multi-second stalls share one histogram without bucketing error. Backed by
 * hdr-histogram-js; mergeable across workers through its compressed encoding.
 */
export class LatencyHistogram {
  private readonly histogram: hdr.Histogram;

  constructor() {
    this.histogram = hdr.build({
      bitBucketSize: 64,
      autoResize: true,
      lowestDiscernibleValue: 1,
      highestTrackableValue: HIGHEST_NS,
      numberOfSignificantValueDigits: 3,
      useWebAssembly: false,
    });
  }

  get count(): number {
    return this.histogram.totalCount;
  }

  /** Records one duration; negative values are a caller bug and throw. */
  recordNs(ns: number | bigint): void {
    const value = typeof ns === 'bigint' ? Number(ns) : ns;
    if (!(value >= 0)) throw new RangeError(`recordNs: expected a duration ≥ 0 ns, got ${value}`);
    this.histogram.recordValue(Math.max(1, Math.round(value)));
  }

  merge(other: LatencyHistogram): void {
    this.histogram.add(other.histogram);
  }

  /** Compressed base64 (HdrHistogram's standard format), for shipping across workers or into results. */
  encode(): string {
    return hdr.encodeIntoCompressedBase64(this.histogram);
  }

  static decode(encoded: string): LatencyHistogram {
    const out = new LatencyHistogram();
    out.histogram.add(hdr.decodeFromCompressedBase64(encoded, 64, false));
    return out;
  }

  /** Value at a percentile (0–100), in ns. */
  percentileNs(percentile: number): number {
    return this.histogram.getValueAtPercentile(percentile);
  }

  /**
   * The recorded distribution as distinct values (ns, ascending; each its
   * bucket's highest equivalent value, as percentiles report it) with running
   * counts — the empirical distribution a bootstrap resamples from.
   */
  distribution(): { readonly valuesNs: Float64Array; readonly cumulative: Float64Array } {
    const js = this.bucketBounds();
    const values: number[] = [];
    const cumulative: number[] = [];
    if (js.totalCount === 0) return { valuesNs: new Float64Array(), cumulative: new Float64Array() };
    // Straight over the counts between the smallest and largest recorded values: the package's
    // iterator allocates per bucket and was ~25 ms per histogram, too slow for a report's many cells.
    let total = 0;
    const last = js.countsArrayIndex(js.maxValue);
    for (let i = js.countsArrayIndex(js.minNonZeroValue); i <= last; i++) {
      const count = js.getCountAtIndex(i);
      if (count === 0) continue;
      total += count;
      values.push(js.highestEquivalentValue(js.valueFromIndex(i)));
      cumulative.push(total);
    }
    return { valuesNs: Float64Array.from(values), cumulative: Float64Array.from(cumulative) };
  }

  private bucketBounds(): hdr.JsHistogram {
    return this.histogram as unknown as hdr.JsHistogram;
  }

  summaryMs(): PercentilesMs {
    const h = this.histogram;
    const ms = (ns: number): number => ns / 1e6;
    if (h.totalCount === 0) {
      return { p50: 0, p90: 0, p95: 0, p99: 0, p999: 0, max: 0, mean: 0, min: 0, count: 0 };
    }
    return {
      p50: ms(h.getValueAtPercentile(50)),
      p90: ms(h.getValueAtPercentile(90)),
      p95: ms(h.getValueAtPercentile(95)),
      p99: ms(h.getValueAtPercentile(99)),
      p999: ms(h.getValueAtPercentile(99.9)),
      // HdrHistogram's convention: extremes as their bucket's equivalent range, so that
      // min ≤ every percentile ≤ max holds and survives encode/merge.
      max: ms(this.bucketBounds().highestEquivalentValue(h.maxValue)),
      mean: ms(h.mean),
      min: ms(this.bucketBounds().lowestEquivalentValue(h.minNonZeroValue)),
      count: h.totalCount,
    };
  }
}
