import { Bench, type Task } from 'tinybench';

/** Per-operation time of one task, from tinybench's per-iteration samples (timer overhead subtracted). */
export interface TimingStats {
  readonly meanNs: number;
  readonly p50Ns: number;
  readonly p99Ns: number;
  readonly minNs: number;
  readonly maxNs: number;
  /** Relative margin of error of the mean, percent (95% confidence, Student's t). */
  readonly rmePct: number;
  /** Iterations measured (warm-up excluded); each one is a sample. */
  readonly samples: number;
}

export interface TimingOptions {
  /** Minimum measuring time per task, ms (tinybench keeps going until this and `minIterations` are both met). */
  readonly timeMs: number;
  readonly minIterations: number;
  readonly signal?: AbortSignal;
}

/** What timing returned: both tasks' statistics, or `aborted` when the signal fired first. */
export type TimingOutcome =
  | { readonly state: 'completed'; readonly encode: TimingStats; readonly decode: TimingStats }
  | { readonly state: 'aborted' };

/**
 * Times an encode and a decode function with tinybench: warm-up first, then
 * one sample per call with `process.hrtime` and the calibrated timer overhead
 * subtracted. The functions return their result so the work cannot be
 * optimized away. A throwing function is an error, never a number.
 */
export async function timeCodec(
  label: string,
  encode: () => unknown,
  decode: () => unknown,
  options: TimingOptions,
): Promise<TimingOutcome> {
  // tinybench adds listeners per task that stay until the signal fires: give it a
  // signal of its own, linked to the caller's by one listener removed afterwards.
  const local = new AbortController();
  const forward = () => local.abort();
  if (options.signal?.aborted) return { state: 'aborted' };
  options.signal?.addEventListener('abort', forward, { once: true });
  const bench = new Bench({
    time: options.timeMs,
    iterations: options.minIterations,
    warmupTime: Math.min(100, options.timeMs),
    warmupIterations: Math.min(16, options.minIterations),
    timestampProvider: 'hrtimeNow',
    subtractTimerOverhead: true,
    signal: local.signal,
  });
  bench.add('encode', encode, { async: false });
  bench.add('decode', decode, { async: false });
  try {
    await bench.run();
  } finally {
    options.signal?.removeEventListener('abort', forward);
  }
  if (local.signal.aborted) return { state: 'aborted' };
  const [encodeTask, decodeTask] = bench.tasks;
  return {
    state: 'completed',
    encode: statsOf(encodeTask, `${label} encode`),
    decode: statsOf(decodeTask, `${label} decode`),
  };
}

function statsOf(task: Task | undefined, label: string): TimingStats {
  const result = task?.result;
  if (result?.state === 'errored') throw new Error(`${label}: ${result.error.message}`);
  if (result?.state !== 'completed') {
    throw new Error(`${label}: expected completed timings, got ${result?.state ?? 'no task'}`);
  }
  const ms = result.latency;
  return {
    meanNs: ms.mean * 1e6,
    p50Ns: ms.p50 * 1e6,
    p99Ns: ms.p99 * 1e6,
    minNs: ms.min * 1e6,
    maxNs: ms.max * 1e6,
    rmePct: ms.rme,
    samples: ms.samplesCount,
  };
}
