import { join } from 'node:path';
import { parseFlags, parseInteger, parseList, runMain, UsageError } from '../../lib/cli.js';
import { describeEnvironment } from '../results/environment.js';
import { writeFileAtomic } from '../results/write-atomic.js';
import { FORMATS } from './formats.js';
import { MESSAGE_NAMES } from './messages.js';
import { COMPRESSION, runSerializationBench, type SerializationResult } from './run.js';

const HELP = `Usage: npm run bench:serialization -- [flags]

Encode/decode cost and sizes of the domain messages in every wire format
(REST JSON, protobuf binary, protobuf JSON, GraphQL response), timed with
tinybench; sizes raw, gzip level ${COMPRESSION.gzipLevel}, brotli quality ${COMPRESSION.brotliQuality} and ${COMPRESSION.brotliMaxQuality}.

  --messages LIST   ${MESSAGE_NAMES.join(',')}
  --formats LIST    ${FORMATS.map((f) => f.name).join(',')}
  --time-ms N       time budget per encode/decode task (default 500)
  --seed N          dataset seed (default 1)
  --out DIR         where serialization.json goes (default results/serialization-<UTC timestamp>/)
  --json            print the JSON to stdout instead of the table
  --help`;

runMain('bench:serialization', async () => {
  const { values, positionals } = parseFlags(process.argv.slice(2), {
    messages: { type: 'string' },
    formats: { type: 'string' },
    'time-ms': { type: 'string', default: '500' },
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
  const startedAt = new Date();
  const records = await runSerializationBench({
    seed,
    brotliMax: true,
    timeMs: parseInteger('time-ms', values['time-ms'], 1, 600_000),
    ...(values.messages ? { messages: parseList('messages', values.messages, MESSAGE_NAMES) } : {}),
    ...(values.formats
      ? {
          formats: parseList(
            'formats',
            values.formats,
            FORMATS.map((f) => f.name),
          ),
        }
      : {}),
  });
  const document = {
    schema: 'wirebench.serialization/v1',
    run: { seed, startedAt: startedAt.toISOString(), argv: process.argv.slice(2), compression: COMPRESSION },
    environment: await describeEnvironment(),
    serialization: records,
  };
  const dir =
    values.out ??
    join(
      'results',
      `serialization-${startedAt
        .toISOString()
        .replaceAll(':', '-')
        .replace(/\.\d+Z$/, 'Z')}`,
    );
  await writeFileAtomic(join(dir, 'serialization.json'), `${JSON.stringify(document, null, 2)}\n`);
  if (values.json) process.stdout.write(`${JSON.stringify(document)}\n`);
  else process.stdout.write(renderTable(records));
  process.stderr.write(`bench:serialization: wrote ${join(dir, 'serialization.json')}\n`);
  return 0;
});

/** A Markdown table; times as mean with relative margin of error, and p99. */
export function renderTable(records: readonly SerializationResult[]): string {
  const rows = records.map((r) => {
    const t = (s: SerializationResult['encode']) =>
      `${(s.meanNs / 1000).toFixed(2)} µs ±${s.rmePct.toFixed(1)}% (p99 ${(s.p99Ns / 1000).toFixed(2)}, n=${s.samples})`;
    return `| ${r.message} | ${r.format} | ${r.bytes} | ${r.gzipBytes} | ${r.brotliBytes} | ${r.brotliMaxBytes ?? '–'} | ${t(r.encode)} | ${t(r.decode)} |`;
  });
  return [
    `| message | format | bytes | gzip ${COMPRESSION.gzipLevel} | brotli ${COMPRESSION.brotliQuality} | brotli ${COMPRESSION.brotliMaxQuality} | encode | decode |`,
    '|---|---|--:|--:|--:|--:|--:|--:|',
    ...rows,
    '',
  ].join('\n');
}
