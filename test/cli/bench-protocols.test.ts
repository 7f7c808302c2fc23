import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import type { Results } from '../../bench/results/schema.js';
import { runCli } from './helpers.js';

test('bench:protocols writes results.json (contract schema), results.csv and report.md', async (t) => {
  const out = await mkdtemp(join(tmpdir(), 'wb-bench-'));
  try {
    const { code, stderr } = await runCli('bench/protocols/main.ts', [
      '--protocols',
      'rest,grpc,quic',
      '--networks',
      'loopback',
      '--scenarios',
      'get-small,list-large,nested,nested-naive',
      '--duration',
      '0.5',
      '--out',
      out,
    ]);
    t.is(code, 0, stderr);
    const results = JSON.parse(await readFile(join(out, 'results.json'), 'utf8')) as Results;
    t.is(results.schema, 'wirebench.results/v1');
    t.is(results.run.seed, 1);
    t.is(results.run.status, 'completed');
    const completed = results.cells.filter((c) => c.state === 'completed');
    const keys = completed.map((c) => `${c.scenario}:${c.protocol}/${c.transport}`).sort();
    // quick profile: each protocol on its default transport.
    const expected = ['grpc/h2c', 'rest/h1'];
    const scenarios = ['get-small', 'list-large', 'nested', 'nested-naive'];
    t.deepEqual(keys, scenarios.flatMap((s) => expected.map((k) => `${s}:${k}`)).sort());
    // Backend calls per operation come from the services' core: batching vs N+1, the same for every protocol.
    const backend = (scenario: string) =>
      completed
        .filter((c) => c.scenario === scenario)
        .map((c) => (c.state === 'completed' ? c.backendCallsPerOp : null));
    t.deepEqual(backend('nested'), [3, 3]);
    t.deepEqual(backend('nested-naive'), [60, 60]);
    for (const cell of completed) {
      const l = cell.latencyMs;
      t.true(l.min <= l.p50 && l.p50 <= l.p90 && l.p90 <= l.p99 && l.p99 <= l.p999 && l.p999 <= l.max);
      t.true(cell.counts.ok > 0);
      t.is(cell.counts.mismatches, 0);
      t.true(cell.throughputRps > 0);
      t.true(cell.ttfbMs.p50 > 0 && cell.ttfbMs.p50 <= l.max);
      t.true(cell.ttfbColdMs.count > 0);
      t.true(cell.bytesPerOp.responseBody > 0);
      // Wire bytes include headers/framing, so they exceed the body.
      if (cell.bytesPerOp.responseWire !== null)
        t.true(cell.bytesPerOp.responseWire > cell.bytesPerOp.responseBody);
    }
    // A protocol with no adapter yet is present as skipped, with the reason.
    const quic = results.cells.filter((c) => c.protocol === 'quic');
    t.true(quic.length > 0 && quic.every((c) => c.state === 'skipped' && c.reason.length > 0));
    const csv = await readFile(join(out, 'results.csv'), 'utf8');
    t.is(csv.trim().split('\n').length, results.cells.length + 1);
    const md = await readFile(join(out, 'report.md'), 'utf8');
    t.regex(md, /## get-small · loopback/);
  } finally {
    await rm(out, { recursive: true, force: true });
  }
});

test('bench:protocols rejects a bad flag with one line and exit 2', async (t) => {
  const { code, stderr } = await runCli('bench/protocols/main.ts', ['--concurrency', 'many']);
  t.is(code, 2);
  t.is(stderr.trim().split('\n').length, 1);
});
