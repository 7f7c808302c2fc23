import { parseFlags, parseInteger, parseList, runMain, UsageError } from '../lib/cli.js';
import { onShutdown } from '../lib/shutdown.js';
import { PROTOCOL_IDS, type ProtocolId, TRANSPORT_IDS, type TransportId } from '../protocols/types.js';
import { DATASET_PRESETS, type DatasetPresetName } from './core/index.js';
import type { RealtimeServerHandle } from './realtime/index.js';
import { startServices } from './start-all.js';
import type { ServerHandle } from './types.js';

const HELP = `Usage: npm run services -- [flags]

Starts every service (or the named ones) over every transport it supports and
prints protocol × transport → URL. Ctrl-C drains connections and stops.

  --host ADDR          listen address (default 127.0.0.1)
  --port-base N        first port; services take N, N+1, … (default 0: free ports)
  --protocols LIST     e.g. rest,grpc (default: all implemented)
  --transports LIST    e.g. h1,h2c (default: all each protocol supports)
  --seed N             dataset seed (default 1)
  --dataset NAME       small | medium | large (default medium)
  --json               print one JSON line {"endpoints":[…]} once every service is ready
  --exit-with-stdin    stop when stdin closes (used by the bench for its child)
  --help`;

runMain('services', async () => {
  const { values } = parseFlags(process.argv.slice(2), {
    host: { type: 'string', default: '127.0.0.1' },
    'port-base': { type: 'string', default: '0' },
    protocols: { type: 'string' },
    transports: { type: 'string' },
    seed: { type: 'string', default: '1' },
    dataset: { type: 'string', default: 'medium' },
    json: { type: 'boolean', default: false },
    'exit-with-stdin': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  });
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const dataset = values.dataset as DatasetPresetName;
  if (!(dataset in DATASET_PRESETS)) {
    throw new UsageError(
      `--dataset: expected one of ${Object.keys(DATASET_PRESETS).join(', ')}, got "${values.dataset}"`,
    );
  }
  const protocols: ProtocolId[] | undefined = values.protocols
    ? parseList('protocols', values.protocols, PROTOCOL_IDS)
    : undefined;
  const transports: TransportId[] | undefined = values.transports
    ? parseList('transports', values.transports, TRANSPORT_IDS)
    : undefined;
  const running = await startServices({
    host: values.host,
    portBase: parseInteger('port-base', values['port-base'], 0, 65_000),
    seed: parseInteger('seed', values.seed, 0, 2 ** 31 - 1),
    dataset,
    ...(protocols ? { protocols } : {}),
    ...(transports ? { transports } : {}),
  });
  onShutdown(
    async (reason) => {
      if (!values.json) process.stderr.write(`services: ${reason}, draining…\n`);
      await running.close();
    },
    { stdin: values['exit-with-stdin'] },
  );
  if (values['exit-with-stdin']) serveControlLines(running);
  if (values.json) {
    const caFile = running.caFile ? { caFile: running.caFile } : {};
    process.stdout.write(
      `${JSON.stringify({ endpoints: running.endpoints, skipped: running.skipped, ...caFile })}\n`,
    );
  } else {
    printTable(running.endpoints, running.skipped);
    if (running.caFile) process.stdout.write(`TLS CA for this run: ${running.caFile} (curl --cacert …)\n`);
  }
  return await new Promise<never>(() => {});
});

function printTable(
  endpoints: readonly { protocol: string; transport: string; url: string }[],
  skipped: readonly { protocol: string; reason: string }[],
): void {
  const rows = endpoints.map((e) => [e.protocol, e.transport, e.url]);
  const widths = [8, 9].map((w, i) => Math.max(w, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]): string =>
    `${(r[0] ?? '').padEnd(widths[0] ?? 0)}  ${(r[1] ?? '').padEnd(widths[1] ?? 0)}  ${r[2]}`;
  process.stdout.write(`${line(['protocol', 'transport', 'url'])}\n`);
  for (const r of rows) process.stdout.write(`${line(r)}\n`);
  for (const s of skipped) process.stdout.write(`(${s.protocol}: ${s.reason})\n`);
  process.stdout.write('Ctrl-C to stop.\n');
}

/**
 * The bench's control channel on stdin: one command per line, one JSON line
 * back on stdout. `backend-stats` answers the core's backend-call counters,
 * so the bench can report backend calls per operation (N+1 vs batching)
 * without any protocol carrying them. `memory` answers this process's memory
 * (after a full GC when the process runs with --expose-gc), for memory per
 * held connection. `live-connections P T` and `drop-connections P T` ask the
 * realtime server of protocol P over transport T how many connections it
 * holds, or cut them all at once (a reconnection storm).
 */
function serveControlLines(running: {
  core: { backend: { stats(): unknown } };
  handles: readonly ServerHandle[];
}): void {
  const realtime = (protocol = '', transport = ''): RealtimeServerHandle | undefined =>
    running.handles.find(
      (h): h is RealtimeServerHandle =>
        h.protocol === protocol && h.transport === transport && 'dropConnections' in h && 'connections' in h,
    );
  const answer = (command: string): unknown => {
    const [verb, ...args] = command.split(/\s+/);
    if (verb === 'backend-stats') return { backendStats: running.core.backend.stats() };
    if (verb === 'memory') {
      const gc = (globalThis as { gc?: () => void }).gc;
      gc?.();
      return { memory: { ...process.memoryUsage(), gc: gc !== undefined } };
    }
    if (verb === 'live-connections' || verb === 'drop-connections') {
      const handle = realtime(args[0], args[1]);
      if (!handle) {
        const served = running.handles.some((h) => h.protocol === args[0] && h.transport === args[1]);
        return served
          ? { unsupported: `the ${args[0]}/${args[1]} server does not count or cut its connections` }
          : { error: `expected a running realtime server for "${args.join(' ')}", got none` };
      }
      return verb === 'live-connections'
        ? { liveConnections: handle.connections() }
        : { dropped: handle.dropConnections() };
    }
    return {
      error: `expected a command (backend-stats, memory, live-connections P T, drop-connections P T), got "${command}"`,
    };
  };
  let buffer = '';
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (chunk: string) => {
    buffer += chunk;
    for (let i = buffer.indexOf('\n'); i >= 0; i = buffer.indexOf('\n')) {
      const command = buffer.slice(0, i).trim();
      buffer = buffer.slice(i + 1);
      if (command !== '') process.stdout.write(`${JSON.stringify(answer(command))}\n`);
    }
  });
}
