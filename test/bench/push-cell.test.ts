import test from 'ava';
import { planMatrix } from '../../bench/protocols/plan.js';
import { PROFILES } from '../../bench/protocols/profiles.js';
import { runPushCell } from '../../bench/protocols/run-push-cell.js';
import { findScenario } from '../../bench/scenarios/catalog.js';
import { isPushScenario } from '../../bench/scenarios/types.js';
import { generateTls } from '../../lib/tls.js';
import { REALTIME_REGISTRY } from '../../protocols/realtime-registry.js';
import { isTlsTransport } from '../../protocols/types.js';
import { DATASET_PRESETS, FeedCore } from '../../services/core/index.js';

const fanout = findScenario('fanout');
const profile = {
  ...PROFILES.quick,
  coldSamples: 2,
  fanout: { subscribers: 20, messages: 15, ratePerS: 100 },
};

test('the plan runs fanout on every realtime protocol and skips the others with a reason', (t) => {
  const cells = planMatrix({
    scenarios: ['fanout', 'get-small'],
    protocols: ['rest', 'websocket', 'sse', 'long-poll'],
    transports: undefined,
    transportChoice: 'default',
    networks: ['loopback'],
  });
  const runs = cells
    .filter((c) => c.kind === 'run')
    .map((c) => `${c.scenario.name}:${c.protocol}/${c.encoding}`);
  t.deepEqual(runs.sort(), [
    'fanout:long-poll/json',
    'fanout:sse/json',
    'fanout:websocket/json',
    'fanout:websocket/proto',
    'get-small:rest/json',
  ]);
  const skips = cells.filter((c) => c.kind === 'skip');
  t.true(
    skips.some((c) => c.scenario === 'fanout' && c.protocol === 'rest' && /request\/response/.test(c.reason)),
  );
  t.true(
    skips.some((c) => c.scenario === 'get-small' && c.protocol === 'sse' && /push protocol/.test(c.reason)),
  );
});

test('the plan gives every client variant of a push protocol a cell of its own', (t) => {
  for (const entry of REALTIME_REGISTRY.filter((e) => e.variants)) {
    const cells = planMatrix({
      scenarios: ['fanout'],
      protocols: [entry.id],
      transports: undefined,
      transportChoice: 'default',
      networks: ['loopback'],
    });
    const variants = cells.map((c) => (c.kind === 'run' ? c.variant : `skip: ${c.reason}`));
    t.deepEqual(
      variants,
      entry.encodings.flatMap(() => entry.variants?.map((v) => v.name)),
      entry.id,
    );
  }
});

for (const [entry, variant] of REALTIME_REGISTRY.flatMap((e) =>
  (e.variants ?? [undefined]).map((v) => [e, v] as const),
)) {
  const transport = entry.transports[0] ?? 'h1';
  const label = `${entry.id}/${transport}${variant ? ` (${variant.name})` : ''}`;
  test(`fanout on ${label}: every subscriber gets every event once, in order, with sane figures`, async (t) => {
    if (!fanout || !isPushScenario(fanout)) return t.fail('fanout is not a push scenario');
    const core = new FeedCore({ seed: 1, preset: DATASET_PRESETS.small });
    // A protocol whose default transport is TLS (WebTransport over h2, raw QUIC) gets the run's CA, as in the bench.
    const tls = isTlsTransport(transport) ? await generateTls() : undefined;
    const server = await entry.start(core, {
      host: '127.0.0.1',
      port: 0,
      transport,
      ...(tls ? { tls } : {}),
    });
    t.teardown(() => server.close());
    const encoding = entry.encodings[0] ?? 'json';
    const cell = await runPushCell(
      {
        kind: 'run',
        scenario: fanout,
        protocol: entry.id,
        transport,
        network: 'loopback',
        encoding,
        ...(variant ? { variant: variant.name } : {}),
      },
      fanout,
      {
        url: server.url,
        caPem: tls?.caPem,
        oracle: core,
        profile,
        load: { model: 'closed', rate: null, connections: 1, concurrency: 1, durationS: 1, warmupS: 0 },
        seed: 7,
        signal: new AbortController().signal,
      },
    );
    if (cell.state !== 'completed') return t.fail(`${cell.state}: ${cell.reason}`);
    t.is(cell.variant, variant?.name, 'the cell reports its variant');
    t.deepEqual(cell.counts, { ok: 20 * 15, errors: 0, timeouts: 0, mismatches: 0 });
    const l = cell.latencyMs;
    t.true(0 < l.p50 && l.p50 <= l.p99 && l.p99 <= l.max, JSON.stringify(l));
    t.true(cell.ttfbColdMs.p50 > 0);
    t.true(cell.throughputRps > 0);
    t.true(cell.bytesPerOp.responseBody > 0);
    if (cell.bytesPerOp.responseWire !== null) {
      // A delivery carries at least its body on the wire (framing and headers come on top).
      t.true(cell.bytesPerOp.responseWire >= cell.bytesPerOp.responseBody, JSON.stringify(cell.bytesPerOp));
    }
    // The subscribers are gone once the cell ends: the server holds no connection for them.
    const deadline = Date.now() + 5000;
    while (server.connections() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    t.is(server.connections(), 0);
  });
}
