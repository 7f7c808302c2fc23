import test from 'ava';
import { runClosedLoop } from '../../bench/load/closed-loop.js';
import type { Operation } from '../../bench/load/outcome.js';

const quick = { warmupMs: 20, durationMs: 100, minSamples: 50, maxDurationMs: 2000, timeoutMs: 1000 };

test('counts ok, errors, timeouts and mismatches apart', async (t) => {
  let n = 0;
  const op: Operation = async (signal) => {
    const i = n++;
    if (i % 10 === 1) throw Object.assign(new Error('boom'), { code: 'INTERNAL' });
    if (i % 10 === 2) {
      await new Promise((_resolve, reject) =>
        signal.addEventListener('abort', () => reject(new Error('aborted'))),
      );
    }
    await new Promise((r) => setImmediate(r));
    return {
      firstByteNs: process.hrtime.bigint(),
      settle: async () => (i % 10 === 3 ? { kind: 'mismatch', reason: 'wrong id' } : { kind: 'ok' }),
    };
  };
  const m = await runClosedLoop(op, { ...quick, concurrency: 4, timeoutMs: 30 });
  t.true(m.counts.ok > 0);
  t.true(m.counts.errors > 0);
  t.true(m.counts.timeouts > 0);
  t.true(m.counts.mismatches > 0);
  t.is(m.latency.count, m.counts.ok, 'only successful operations enter the latency histogram');
  t.true(m.ttfb.count <= m.latency.count);
  t.truthy(m.firstFailure);
});

test('measures at least minSamples even past the duration, within the hard limit', async (t) => {
  const op: Operation = async () => {
    await new Promise((r) => setTimeout(r, 5));
    return { settle: async () => ({ kind: 'ok' }) };
  };
  const m = await runClosedLoop(op, { ...quick, concurrency: 1, durationMs: 10, minSamples: 30 });
  t.true(m.counts.ok >= 30, `expected ≥ 30 samples, got ${m.counts.ok}`);
});

test('latency excludes validation time and is ordered', async (t) => {
  const op: Operation = async () => {
    await new Promise((r) => setTimeout(r, 1));
    return {
      settle: async () => {
        await new Promise((r) => setTimeout(r, 20));
        return { kind: 'ok' };
      },
    };
  };
  const m = await runClosedLoop(op, { ...quick, concurrency: 1, durationMs: 50, minSamples: 3 });
  const s = m.latency.summaryMs();
  t.true(s.p50 < 15, `validation must not be timed; p50 ${s.p50} ms`);
  t.true(s.min <= s.p50 && s.p50 <= s.p99 && s.p99 <= s.max);
});

test('an abort signal ends the run early', async (t) => {
  const controller = new AbortController();
  const op: Operation = async () => {
    await new Promise((r) => setTimeout(r, 2));
    return { settle: async () => ({ kind: 'ok' }) };
  };
  setTimeout(() => controller.abort(), 50);
  const started = performance.now();
  await runClosedLoop(op, {
    ...quick,
    concurrency: 2,
    durationMs: 10_000,
    maxDurationMs: 10_000,
    signal: controller.signal,
  });
  t.true(performance.now() - started < 5000);
});
