import type { Counts } from '../results/schema.js';
import { LatencyHistogram } from '../stats/latency-histogram.js';
import type { Operation, OpOutcome } from './outcome.js';

export interface ClosedLoopOptions {
  /** Operations in flight at once; each worker starts its next call when the previous one ends. */
  readonly concurrency: number;
  readonly warmupMs: number;
  readonly durationMs: number;
  /** Keep measuring past `durationMs` until this many samples… */
  readonly minSamples: number;
  /** …but never past this (a slow cell must not hang the run). */
  readonly maxDurationMs: number;
  /** Per-operation timeout. */
  readonly timeoutMs: number;
  /** Ends the run early (Ctrl-C); what was measured is kept. */
  readonly signal?: AbortSignal;
  /** Runs between warm-up and measurement, with nothing in flight (e.g. a wire-byte snapshot). */
  readonly beforeMeasure?: () => Promise<void>;
}

export interface LoopMeasurement {
  readonly latency: LatencyHistogram;
  readonly ttfb: LatencyHistogram;
  readonly counts: Counts;
  readonly elapsedNs: number;
  /** The first failure's reason, so a failed cell can say why. */
  readonly firstFailure?: string;
}

/**
 * Closed-loop load (wrk's model): `concurrency` workers, each issuing its next
 * call as soon as the previous returns. Latency is measured from the actual
 * send, so it is *not* coordinated-omission corrected — results say
 * `model: closed` so nobody reads it as an open-loop figure.
 *
 * Steps: warm up for `warmupMs` (discarded: JIT, connection windows, caches);
 * then measure until both `durationMs` and `minSamples` are reached (mitata's
 * rule), or `maxDurationMs` passes.
 */
export async function runClosedLoop(op: Operation, options: ClosedLoopOptions): Promise<LoopMeasurement> {
  await phase(op, options, options.warmupMs, 0, options.warmupMs, undefined);
  await options.beforeMeasure?.();
  const sink = newSink();
  const started = process.hrtime.bigint();
  await phase(op, options, options.durationMs, options.minSamples, options.maxDurationMs, sink);
  const elapsedNs = Number(process.hrtime.bigint() - started);
  return { ...sink, elapsedNs };
}

interface Sink {
  latency: LatencyHistogram;
  ttfb: LatencyHistogram;
  counts: Counts;
  firstFailure?: string;
}

function newSink(): Sink {
  return {
    latency: new LatencyHistogram(),
    ttfb: new LatencyHistogram(),
    counts: { ok: 0, errors: 0, timeouts: 0, mismatches: 0 },
  };
}

async function phase(
  op: Operation,
  options: ClosedLoopOptions,
  minMs: number,
  minSamples: number,
  maxMs: number,
  sink: Sink | undefined,
): Promise<void> {
  if (maxMs <= 0) return;
  const start = performance.now();
  let samples = 0;
  const done = (): boolean => {
    if (options.signal?.aborted) return true;
    const elapsed = performance.now() - start;
    return elapsed >= maxMs || (elapsed >= minMs && samples >= minSamples);
  };
  const worker = async (): Promise<void> => {
    while (!done()) {
      const outcome = await timedCall(op, options.timeoutMs, sink);
      samples++;
      if (sink) count(sink, outcome);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
}

async function timedCall(op: Operation, timeoutMs: number, sink: Sink | undefined): Promise<OpOutcome> {
  const signal = AbortSignal.timeout(timeoutMs);
  const t0 = process.hrtime.bigint();
  let result: Awaited<ReturnType<Operation>>;
  try {
    result = await op(signal);
  } catch (error) {
    return failure(error, signal);
  }
  const t1 = process.hrtime.bigint();
  const outcome = await result.settle();
  if (outcome.kind === 'ok' && sink) {
    sink.latency.recordNs(t1 - t0);
    if (result.firstByteNs !== undefined) sink.ttfb.recordNs(result.firstByteNs - t0);
  }
  return outcome;
}

function failure(error: unknown, signal: AbortSignal): OpOutcome {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown } | null)?.code;
  if (signal.aborted || code === 'DEADLINE_EXCEEDED') return { kind: 'timeout', reason: message };
  return { kind: 'error', reason: typeof code === 'string' ? `${code}: ${message}` : message };
}

function count(sink: Sink, outcome: OpOutcome): void {
  if (outcome.kind === 'ok') {
    sink.counts.ok++;
    return;
  }
  if (outcome.kind === 'error') sink.counts.errors++;
  else if (outcome.kind === 'timeout') sink.counts.timeouts++;
  else sink.counts.mismatches++;
  sink.firstFailure ??= `${outcome.kind}: ${outcome.reason}`;
}
