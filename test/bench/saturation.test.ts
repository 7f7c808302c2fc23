import test from 'ava';
import type { Operation } from '../../bench/load/outcome.js';
import { runSaturation } from '../../bench/load/saturation.js';

/** A server with one worker and a 4 ms service time: capacity ≈ 250 req/s, queueing beyond. */
function singleServer(): Operation {
  let busyUntil = 0;
  return async () => {
    const now = performance.now();
    const start = Math.max(now, busyUntil);
    busyUntil = start + 4;
    await new Promise((r) => setTimeout(r, busyUntil - now));
    return { settle: async () => ({ kind: 'ok' }) };
  };
}

test('the saturation sweep finds a knee near capacity and Little’s law holds at every step', async (t) => {
  const result = await runSaturation(singleServer(), {
    factors: [0.25, 0.5, 0.75, 1.0, 1.25, 1.5],
    stepMs: 600,
    warmupMs: 100,
    probeConcurrency: 8,
    maxInFlight: 256,
    timeoutMs: 10_000,
    seed: 1,
  });
  t.log(
    `capacity ${result.capacityEstimateRps.toFixed(0)}/s, knee ${result.kneeRps?.toFixed(0)}: ${result.kneeReason}`,
  );
  t.true(
    result.capacityEstimateRps > 150 && result.capacityEstimateRps < 260,
    `capacity ${result.capacityEstimateRps}`,
  );
  t.not(result.kneeRps, null);
  t.true((result.kneeRps ?? Infinity) <= result.capacityEstimateRps * 1.1);
  for (const step of result.steps) {
    t.true(step.p50Ms <= step.p99Ms);
    const ratio = step.meanInFlight / step.littleLambdaW;
    t.true(
      ratio > 0.8 && ratio < 1.25,
      `L = ${step.meanInFlight.toFixed(2)} vs λW = ${step.littleLambdaW.toFixed(2)}`,
    );
  }
});
