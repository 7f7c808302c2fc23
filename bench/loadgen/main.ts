import { parseFlags, parseInteger, parseNumber, runMain } from '../../lib/cli.js';
import { findProtocol, unsupportedReason } from '../../protocols/registry.js';
import type { TransportId } from '../../protocols/types.js';
import { FeedService } from '../../schemas/gen/wirebench/v1/feed_pb.js';
import { DATASET_PRESETS, FeedCore, Random } from '../../services/core/index.js';
import { runClosedLoop } from '../load/closed-loop.js';
import { startServicesProcess } from '../protocols/services-process.js';
import { unaryScenario } from '../scenarios/unary.js';
import { BodyMeter } from '../wire/body-size.js';
import { runAutocannon, runH2load, type ToolResult } from './external-tools.js';

const HELP = `Usage: npm run bench:loadgen -- [--duration S] [--connections N] [--streams N]

The harness ceiling: the bench's own closed-loop load against the same REST
endpoint as autocannon (HTTP/1.1, N connections) and h2load (HTTP/2 cleartext,
1 connection × N streams), printing throughput ratios. Goals: ≥ 0.95×
autocannon, ≥ 0.5× h2load. The harness validates every response; the tools
do not.`;

const PATH_ID = 'p000001';

runMain('bench:loadgen', async () => {
  const { values } = parseFlags(process.argv.slice(2), {
    duration: { type: 'string', default: '5' },
    connections: { type: 'string', default: '8' },
    streams: { type: 'string', default: '16' },
    help: { type: 'boolean', default: false },
  });
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const durationS = parseNumber('duration', values.duration, 1, 600);
  const connections = parseInteger('connections', values.connections, 1, 256);
  const streams = parseInteger('streams', values.streams, 1, 1000);
  const rest = findProtocol('rest');
  if (!rest) throw new Error('registry: expected a rest entry');
  const transports = (['h1', 'h2c'] as TransportId[]).filter((t) => rest.transports.includes(t));
  const services = await startServicesProcess({
    protocols: ['rest'],
    transports,
    seed: 1,
    dataset: 'medium',
  });
  const oracle = new FeedCore({ seed: 1, preset: DATASET_PRESETS.medium });
  const rows: string[] = [];
  try {
    for (const transport of ['h1', 'h2c'] as TransportId[]) {
      const endpoint = services.endpoints.find((e) => e.transport === transport);
      const reason = unsupportedReason(rest, transport);
      if (!endpoint || reason) {
        rows.push(`| ${transport} | – | – | skipped: ${reason ?? 'service did not start'} |`);
        continue;
      }
      const url = `${endpoint.url}/v1/posts/${PATH_ID}`;
      const concurrency = transport === 'h1' ? connections : streams;
      const tool: ToolResult | undefined =
        transport === 'h1'
          ? await runAutocannon(url, connections, durationS)
          : await runH2load(url, streams, durationS);
      const ours = await harness(
        endpoint.url,
        transport,
        transport === 'h1' ? connections : 1,
        concurrency,
        durationS,
        oracle,
      );
      const shape = transport === 'h1' ? `${connections} conn` : `1 conn × ${streams} streams`;
      if (!tool) {
        rows.push(
          `| ${transport} | ${shape} | ${ours.rps.toFixed(0)} | skipped: h2load not installed (Debian nghttp2-client) |`,
        );
        continue;
      }
      const ratio = ours.rps / tool.rps;
      rows.push(
        `| ${transport} | ${shape} | ${ours.rps.toFixed(0)} (p50 ${ours.p50Ms.toFixed(3)} ms) | ` +
          `${tool.tool} ${tool.rps.toFixed(0)} | ${ratio.toFixed(2)}× | ${ours.errors + tool.errors} |`,
      );
    }
  } finally {
    await services.close();
  }
  process.stdout.write(
    [
      `GET /v1/posts/${PATH_ID}, ${durationS} s each, harness validates every response`,
      '',
      '| transport | shape | wirebench req/s | tool req/s | ratio | errors |',
      '|---|---|--:|--:|--:|--:|',
      ...rows,
      '',
    ].join('\n'),
  );
  return 0;
});

async function harness(
  url: string,
  transport: TransportId,
  connections: number,
  concurrency: number,
  durationS: number,
  oracle: FeedCore,
): Promise<{ rps: number; p50Ms: number; errors: number }> {
  const rest = findProtocol('rest');
  if (!rest) throw new Error('registry: expected a rest entry');
  const client = rest.createClient({ url, transport, encoding: 'json', connections });
  await client.connect();
  try {
    const scenario = unaryScenario({
      name: 'get-fixed',
      description: 'the same post every time, as the external tools request it',
      method: FeedService.method.getPost,
      input: () => ({ id: PATH_ID }),
      fingerprint: (post) => post.id,
    });
    const op = scenario.operation({
      client,
      oracle,
      random: new Random(1),
      encoding: 'json',
      bodies: new BodyMeter(),
    });
    const m = await runClosedLoop(op, {
      concurrency,
      warmupMs: 1000,
      durationMs: durationS * 1000,
      minSamples: 1,
      maxDurationMs: durationS * 1000,
      timeoutMs: 10_000,
    });
    const done = m.counts.ok + m.counts.mismatches;
    return {
      rps: done / (m.elapsedNs / 1e9),
      p50Ms: m.latency.summaryMs().p50,
      errors: m.counts.errors + m.counts.timeouts + m.counts.mismatches,
    };
  } finally {
    await client.close();
  }
}
