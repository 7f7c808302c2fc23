import test from 'ava';
import { PROFILES } from '../../bench/protocols/profiles.js';
import { runCell } from '../../bench/protocols/run-cell.js';
import type { ServicesControl } from '../../bench/protocols/services-process.js';
import { findScenario } from '../../bench/scenarios/catalog.js';
import { isPushScenario } from '../../bench/scenarios/types.js';
import { generateTls } from '../../lib/tls.js';
import { REALTIME_REGISTRY } from '../../protocols/realtime-registry.js';
import { isTlsTransport } from '../../protocols/types.js';
import { DATASET_PRESETS, FeedCore } from '../../services/core/index.js';
import type { RealtimeServerHandle } from '../../services/realtime/index.js';

const profile = {
  ...PROFILES.quick,
  connections: { clients: 30 },
  reconnectStorm: { subscribers: 12, eventsBefore: 3, eventsDuring: 4 },
};
/** One CA for the file: TLS transports (h2, h3: WebTransport, raw QUIC) get a certificate from it. */
const tls = generateTls();
const LOAD = {
  model: 'closed',
  rate: null,
  connections: 1,
  concurrency: 1,
  durationS: 1,
  warmupS: 0,
} as const;

/** The control channel the services process offers, answered in-process from the server handle. */
function control(server: RealtimeServerHandle): ServicesControl {
  return {
    memory: async () => ({ ...process.memoryUsage(), gc: false }),
    liveConnections: async () => server.connections(),
    dropConnections: async () => server.dropConnections(),
  };
}

async function run(t: { teardown(fn: () => Promise<void>): void }, entryIndex: number, scenarioName: string) {
  const entry = REALTIME_REGISTRY[entryIndex];
  const scenario = findScenario(scenarioName);
  if (!entry || !scenario || !isPushScenario(scenario))
    throw new Error(`expected ${scenarioName} and a realtime entry`);
  const transport = entry.transports[0] ?? 'h1';
  const core = new FeedCore({ seed: 1, preset: DATASET_PRESETS.small });
  const material = isTlsTransport(transport) ? await tls : undefined;
  const server = await entry.start(core, {
    host: '127.0.0.1',
    port: 0,
    transport,
    ...(material ? { tls: material } : {}),
  });
  t.teardown(() => server.close());
  const encoding = entry.encodings[0] ?? 'json';
  const cell = await runCell(
    { kind: 'run', scenario, protocol: entry.id, transport, network: 'loopback', encoding },
    {
      url: server.url,
      caPem: material?.caPem,
      oracle: core,
      profile,
      load: LOAD,
      seed: 7,
      signal: new AbortController().signal,
      services: control(server),
    },
  );
  return { cell, server };
}

REALTIME_REGISTRY.forEach((entry, i) => {
  test(`connections on ${entry.id}: every client held, counted by the server, served, and released`, async (t) => {
    const { cell, server } = await run(t, i, 'connections');
    if (cell.state !== 'completed') return t.fail(`${cell.state}: ${cell.reason}`);
    const r = cell.connections;
    if (!r) return t.fail('expected a connections record');
    t.is(r.target, 30);
    t.is(r.held, 30);
    t.is(r.failed, 0);
    t.is(r.serverLive, 30, 'the server counts one live connection per held subscriber');
    t.is(r.checkDelivered, 30, 'every held subscriber received the check event');
    t.is(r.serverLiveAfterClose, 0);
    t.is(r.establishMs.count, 30);
    t.true(r.establishMs.min <= r.establishMs.p50 && r.establishMs.p50 <= r.establishMs.max);
    // Growth per connection, or null when memory did not grow (never a zero or negative cost).
    for (const perConnection of [r.heapBytesPerConnection, r.rssBytesPerConnection]) {
      t.true(perConnection === null || perConnection > 0, `got ${perConnection}`);
    }
    t.deepEqual(cell.counts, { ok: 30, errors: 0, timeouts: 0, mismatches: 0 });
    t.is(server.connections(), 0);
  });

  test(`reconnect-storm on ${entry.id}: every subscriber resumes after the cut, no loss, no duplicate`, async (t) => {
    const { cell } = await run(t, i, 'reconnect-storm');
    if (cell.state !== 'completed') return t.fail(`${cell.state}: ${cell.reason}`);
    const r = cell.reconnectStorm;
    if (!r) return t.fail('expected a reconnect-storm record');
    t.true(r.dropped >= 12, `expected ≥ 12 sockets cut, got ${r.dropped}`);
    t.is(r.recovered, 12, 'every subscriber received a post-cut event');
    t.is(r.lost, 0, `${entry.id} resumes (${entry.resume}): nothing lost`);
    t.is(r.duplicates, 0);
    t.is(r.gaps, 0);
    t.true(r.reconnectAttempts >= 12, `expected ≥ 1 attempt per subscriber, got ${r.reconnectAttempts}`);
    t.is(r.failedSubscriptions, 0);
    t.is(r.backoffSeed, 7);
    t.true(r.recoveryMs.min <= r.recoveryMs.p50 && r.recoveryMs.p50 <= r.recoveryMs.max);
    t.deepEqual(cell.counts, { ok: 12 * 7, errors: 0, timeouts: 0, mismatches: 0 });
  });
});

test('without the services control channel both scenarios are skipped, with the reason', async (t) => {
  const entry = REALTIME_REGISTRY[0];
  if (!entry) return t.fail('expected a realtime entry');
  for (const name of ['connections', 'reconnect-storm']) {
    const scenario = findScenario(name);
    if (!scenario || !isPushScenario(scenario)) return t.fail(`expected push scenario ${name}`);
    const cell = await runCell(
      { kind: 'run', scenario, protocol: entry.id, transport: 'h1', network: 'loopback', encoding: 'json' },
      {
        url: 'http://127.0.0.1:9',
        caPem: undefined,
        oracle: new FeedCore({ seed: 1, preset: DATASET_PRESETS.small }),
        profile,
        load: LOAD,
        seed: 1,
        signal: new AbortController().signal,
      },
    );
    t.is(cell.state, 'skipped');
    if (cell.state === 'skipped') t.regex(cell.reason, /control channel/);
  }
});
