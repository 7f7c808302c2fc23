import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { FORMAT_NAMES } from '../../bench/serialization/formats.js';
import { runSerializationBench } from '../../bench/serialization/run.js';
import { renderTable } from '../../bench/serialization/table.js';
import { runCli } from '../cli/helpers.js';

const ENTRY = 'bench/serialization/main.ts';

// Invariants only (tinybench's lesson): timings are never asserted.
test('a short run gives one record per cell with positive times, rme, samples and ordered percentiles', async (t) => {
  const records = await runSerializationBench({
    seed: 1,
    timeMs: 2,
    minIterations: 3,
    messages: ['small', 'nested'],
  });
  t.deepEqual(
    records.map((r) => `${r.message}/${r.format}`),
    ['small', 'nested'].flatMap((m) => FORMAT_NAMES.map((f) => `${m}/${f}`)),
  );
  for (const r of records) {
    const label = `${r.message}/${r.format}`;
    t.true(r.encodeNs > 0 && r.decodeNs > 0, `${label}: timed`);
    t.true(r.bytes > 0 && r.gzipBytes > 0 && r.brotliBytes > 0, `${label}: sized`);
    t.is(r.brotliMaxBytes, null, `${label}: brotli 11 only when asked`);
    for (const s of [r.encode, r.decode]) {
      t.true(Number.isFinite(s.rmePct) && s.rmePct >= 0, `${label}: rme ${s.rmePct}`);
      t.true(s.samples >= 3, `${label}: ${s.samples} samples`);
      t.true(
        s.minNs <= s.p50Ns && s.p50Ns <= s.p99Ns && s.p99Ns <= s.maxNs,
        `${label}: min ≤ p50 ≤ p99 ≤ max`,
      );
    }
  }
  const table = renderTable(records);
  t.is(table.trim().split('\n').length, 2 + records.length);
});

test('an aborted signal stops the run and returns only finished records', async (t) => {
  const abort = new AbortController();
  abort.abort();
  const records = await runSerializationBench({
    seed: 1,
    timeMs: 1,
    messages: ['small'],
    signal: abort.signal,
  });
  t.deepEqual(records, []);
});

test('bench:serialization rejects a bad flag with one line and exit 2', async (t) => {
  for (const args of [['--bogus'], ['--formats', 'xml'], ['--time-ms', '0'], ['stray']]) {
    const { code, stderr } = await runCli(ENTRY, args);
    t.is(code, 2, args.join(' '));
    t.is(stderr.trim().split('\n').length, 1, stderr);
  }
});

test('bench:serialization writes serialization.json and prints the table', async (t) => {
  const out = await mkdtemp(join(tmpdir(), 'wb-serialization-'));
  t.teardown(() => rm(out, { recursive: true, force: true }));
  const args = [
    '--messages',
    'small',
    '--formats',
    'json,proto',
    '--time-ms',
    '2',
    '--seed',
    '7',
    '--out',
    out,
  ];
  const { code, stdout, stderr } = await runCli(ENTRY, args);
  t.is(code, 0, stderr);
  t.regex(stdout, /^\| message \| format \| bytes/);
  const doc = JSON.parse(await readFile(join(out, 'serialization.json'), 'utf8'));
  t.is(doc.schema, 'wirebench.serialization/v1');
  t.is(doc.run.seed, 7);
  t.deepEqual(doc.run.argv, args);
  t.is(typeof doc.environment.node, 'string');
  t.deepEqual(
    doc.serialization.map((r: { format: string }) => r.format),
    ['json', 'proto'],
  );
  for (const r of doc.serialization) {
    for (const key of ['bytes', 'gzipBytes', 'brotliBytes', 'brotliMaxBytes', 'encodeNs', 'decodeNs']) {
      t.is(typeof r[key], 'number', key);
    }
  }
});
