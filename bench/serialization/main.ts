import { join } from 'node:path';
import { parseFlags, parseInteger, parseList, runMain, UsageError } from '../../lib/cli.js';
import { describeEnvironment } from '../results/environment.js';
import { writeFileAtomic } from '../results/write-atomic.js';
import { FORMAT_NAMES, FORMATS } from './formats.js';
import { MESSAGE_DESCRIPTIONS, MESSAGE_NAMES } from './messages.js';
import { runSerializationBench } from './run.js';
import { COMPRESSION } from './sizes.js';
import { renderTable } from './table.js';

export const SERIALIZATION_SCHEMA = 'wirebench.serialization/v1';

const HELP = `Usage: npm run bench:serialization -- [flags]

Sizes and encode/decode cost of the feed's messages in each wire format, no
transport: REST JSON, protobuf binary, canonical protobuf JSON, GraphQL
response. Sizes raw, gzip level ${COMPRESSION.gzipLevel}, brotli quality ${COMPRESSION.brotliQuality} and ${COMPRESSION.brotliMaxQuality}; times per
operation from tinybench (mean ± rme, p50, p99). Round trips are checked first.

  --messages LIST        ${MESSAGE_NAMES.join(',')} (default: all)
  --formats LIST         ${FORMAT_NAMES.join(',')} (default: all)
  --time-ms N            minimum measuring time per encode or decode task (default 500)
  --min-iterations N     minimum samples per task (default 64)
  --seed N               dataset seed (default 1)
  --out DIR              where serialization.json goes (default results/serialization-<UTC timestamp>/)
  --json                 print the JSON document to stdout instead of the table
  --help`;

runMain('bench:serialization', async () => {
  const { values, positionals } = parseFlags(process.argv.slice(2), {
    messages: { type: 'string' },
    formats: { type: 'string' },
    'time-ms': { type: 'string', default: '500' },
    'min-iterations': { type: 'string', default: '64' },
    seed: { type: 'string', default: '1' },
    out: { type: 'string' },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  });
  if (positionals.length > 0) throw new UsageError(`expected flags only, got "${positionals[0]}"`);
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const seed = parseInteger('seed', values.seed, 0, 2 ** 31 - 1);
  const timeMs = parseInteger('time-ms', values['time-ms'], 1, 600_000);
  const minIterations = parseInteger('min-iterations', values['min-iterations'], 1, 1_000_000);
  const messages = values.messages ? parseList('messages', values.messages, MESSAGE_NAMES) : undefined;
  const formats = values.formats ? parseList('formats', values.formats, FORMAT_NAMES) : undefined;

  const startedAt = new Date();
  const abort = new AbortController();
  const onSigint = () => abort.abort();
  process.once('SIGINT', onSigint);
  const records = await runSerializationBench({
    seed,
    timeMs,
    minIterations,
    brotliMax: true,
    signal: abort.signal,
    onProgress: (done, total, label) => process.stderr.write(`[${done + 1}/${total}] ${label}\n`),
    ...(messages ? { messages } : {}),
    ...(formats ? { formats } : {}),
  }).finally(() => process.off('SIGINT', onSigint));

  const document = {
    schema: SERIALIZATION_SCHEMA,
    run: {
      seed,
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      argv: process.argv.slice(2),
      status: abort.signal.aborted ? 'aborted' : 'completed',
      timeMs,
      minIterations,
      compression: COMPRESSION,
      messages: MESSAGE_DESCRIPTIONS,
      formats: Object.fromEntries(FORMATS.map((f) => [f.name, f.description])),
    },
    environment: await describeEnvironment(),
    serialization: records,
  };
  const runId = startedAt
    .toISOString()
    .replaceAll(':', '-')
    .replace(/\.\d+Z$/, 'Z');
  const file = join(values.out ?? join('results', `serialization-${runId}`), 'serialization.json');
  await writeFileAtomic(file, `${JSON.stringify(document, null, 2)}\n`);
  process.stdout.write(values.json ? `${JSON.stringify(document)}\n` : renderTable(records));
  process.stderr.write(`bench:serialization: wrote ${file}\n`);
  return abort.signal.aborted ? 130 : 0;
});
