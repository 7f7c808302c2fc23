import { setTimeout as sleep } from 'node:timers/promises';
import type { Counts } from '../results/schema.js';
import { LatencyHistogram } from '../stats/latency-histogram.js';
import type { Operation } from './outcome.js';
import { type ArrivalProcess, ArrivalSchedule } from './schedule.js';

export interface OpenLoopOptions {
  readonly ratePerSecond: number;
  readonly arrival: ArrivalProcess;
  readonly seed: number;
  /**
   * Calls in flight at most (connections × streams the transport allows). When
   * all slots are busy, sends wait — and the wait counts against latency,
   * because latency is measured from the intended send time.
   */
  readonly maxInFlight: number;
  readonly warmupMs: number;
  readonly durationMs: number;
  readonly timeoutMs: number;
  /** A send later than this after its intended time counts as late. */
  readonly lateThresholdMs?: number;
  readonly signal?: AbortSignal;
  readonly beforeMeasure?: () => Promise<void>;
}

export interface OpenLoopMeasurement {
  /** Intended send → last byte: coordinated-omission corrected (the headline figure). */
  readonly latency: LatencyHistogram;
  /** Actual send → last byte: what a naive closed-loop tool would report. Kept for comparison. */
  readonly latencyUncorrected: LatencyHistogram;
  readonly ttfb: LatencyHistogram;
  readonly counts: Counts;
  /** Sends issued after their intended time + threshold. */
  readonly lateSends: number;
  /** Arrivals due before the end that were never sent (no free slot before the give-up grace). */
  readonly droppedSends: number;
  /** Sends actually issued within the measured window, per second (the pacing check). */
  readonly achievedRate: number;
  /** Arrivals the schedule offered per second (exactly the rate for constant arrivals; Poisson varies). */
  readonly offeredRate: number;
  /** Time-averaged calls in flight over the phase (L in Little's law L = λW). */
  readonly meanInFlight: number;
  readonly elapsedNs: number;
  readonly firstFailure?: string;
}

/**
 * Open-loop load (wrk2's model): arrivals follow a fixed schedule whatever the
 * server does, and latency runs from each arrival's *intended* time, so a
 * stall delays every request that should have been sent meanwhile and shows
 * up in the percentiles (coordinated-omission correction). The uncorrected
 * figure (from the actual send) is recorded too.
 *
 * Steps: a warm-up phase at the same rate (discarded), then the measured
 * phase; `maxInFlight` workers each take the next arrival from the shared
 * schedule, sleep until it is due, send, and record.
 */
export async function runOpenLoop(op: Operation, options: OpenLoopOptions): Promise<OpenLoopMeasurement> {
  await phase(op, options, options.warmupMs, options.seed + 1);
  await options.beforeMeasure?.();
  return phase(op, options, options.durationMs, options.seed);
}

async function phase(
  op: Operation,
  options: OpenLoopOptions,
  durationMs: number,
  seed: number,
): Promise<OpenLoopMeasurement> {
  const schedule = new ArrivalSchedule(options.ratePerSecond, options.arrival, seed);
  const lateNs = (options.lateThresholdMs ?? 1) * 1e6;
  const endNs = durationMs * 1e6;
  const latency = new LatencyHistogram();
  const latencyUncorrected = new LatencyHistogram();
  const ttfb = new LatencyHistogram();
  const counts: Counts = { ok: 0, errors: 0, timeouts: 0, mismatches: 0 };
  let lateSends = 0;
  let sentInWindow = 0;
  let dropped = 0;
  let scheduled = 0;
  // Little's law bookkeeping: the area under the in-flight count over time.
  let inFlight = 0;
  let inFlightArea = 0;
  let lastChange = 0;
  const markInFlight = (t: number, delta: number): void => {
    inFlightArea += inFlight * (t - lastChange);
    lastChange = t;
    inFlight += delta;
  };
  // An overloaded target builds a backlog of overdue arrivals; past this grace they are dropped, not sent.
  const giveUpNs = endNs + Math.max(1e9, endNs / 2);
  let firstFailure: string | undefined;
  const start = process.hrtime.bigint();
  const now = (): number => Number(process.hrtime.bigint() - start);

  const worker = async (): Promise<void> => {
    for (;;) {
      if (options.signal?.aborted) return;
      const intended = schedule.next();
      if (intended >= endNs) return;
      scheduled++;
      if (now() > giveUpNs) {
        dropped++;
        continue;
      }
      // 1. Wait for the arrival; timers are coarse (~1 ms), the schedule stays exact.
      const wait = intended - now();
      if (wait > 0) await sleep(wait / 1e6);
      // libuv timers run on a millisecond clock and can fire a little early: finish the wait exactly.
      while (now() < intended) await new Promise((resolve) => setImmediate(resolve));
      const actual = now();
      if (actual - intended > lateNs) lateSends++;
      if (actual < endNs) sentInWindow++;
      markInFlight(actual, +1);
      // 2. Send and time it from both origins.
      const signal = AbortSignal.timeout(options.timeoutMs);
      let finished = false;
      try {
        const result = await op(signal);
        const done = now();
        markInFlight(done, -1);
        finished = true;
        const outcome = await result.settle();
        if (outcome.kind === 'ok') {
          latency.recordNs(done - intended);
          latencyUncorrected.recordNs(done - actual);
          if (result.firstByteNs !== undefined)
            ttfb.recordNs(Math.max(0, Number(result.firstByteNs - start) - actual));
          counts.ok++;
        } else {
          counts[
            outcome.kind === 'mismatch' ? 'mismatches' : outcome.kind === 'timeout' ? 'timeouts' : 'errors'
          ]++;
          firstFailure ??= `${outcome.kind}: ${outcome.reason}`;
        }
      } catch (error) {
        if (!finished) markInFlight(now(), -1);
        const timedOut = signal.aborted || (error as { code?: unknown }).code === 'DEADLINE_EXCEEDED';
        if (timedOut) counts.timeouts++;
        else counts.errors++;
        firstFailure ??= `${timedOut ? 'timeout' : 'error'}: ${(error as Error).message}`;
      }
    }
  };
  await Promise.all(Array.from({ length: options.maxInFlight }, worker));
  const elapsedNs = now();
  markInFlight(elapsedNs, 0);
  return {
    latency,
    latencyUncorrected,
    ttfb,
    counts,
    lateSends,
    droppedSends: dropped,
    achievedRate: sentInWindow / (endNs / 1e9),
    offeredRate: scheduled / (endNs / 1e9),
    meanInFlight: elapsedNs > 0 ? inFlightArea / elapsedNs : 0,
    elapsedNs,
    ...(firstFailure ? { firstFailure } : {}),
  };
}
