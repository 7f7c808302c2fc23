import test from 'ava';
import { planMatrix } from '../../bench/protocols/plan.js';
import { PROFILES } from '../../bench/protocols/profiles.js';
import { FD_RESERVE, fleetCap } from '../../bench/protocols/push-fleet.js';
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
    const transport = entry.transports[0];
    t.deepEqual(
      variants,
      entry.encodings.flatMap(() =>
        entry.variants?.map((v) => {
          const reason = v.unsupported?.find((u) => u.transport === transport)?.reason;
          return reason ? `skip: ${reason}` : v.name;
        }),
      ),
      entry.id,
    );
  }
});

test('a variant over a transport it cannot ride is a skip cell naming the variant and the reason', (t) => {
  let checked = 0;
  for (const entry of REALTIME_REGISTRY) {
    for (const variant of entry.variants ?? []) {
      for (const { transport, reason } of variant.unsupported ?? []) {
        if (!entry.transports.includes(transport)) continue;
        const cells = planMatrix({
          scenarios: ['fanout'],
          protocols: [entry.id],
          transports: [transport],
          transportChoice: 'default',
          networks: ['loopback'],
        });
        const own = cells.filter((c) => c.variant === variant.name);
        t.true(own.length > 0, `${entry.id}/${transport}: expected a cell for ${variant.name}`);
        for (const cell of own) t.like(cell, { kind: 'skip', transport, variant: variant.name, reason });
        // The entry's other variants still run there, unless they too list the transport.
        const others = (entry.variants ?? []).filter(
          (v) => v !== variant && !v.unsupported?.some((u) => u.transport === transport),
        );
        for (const other of others) {
          t.true(
            cells.some((c) => c.kind === 'run' && c.variant === other.name),
            `${entry.id}/${transport}: expected ${other.name} to run`,
          );
        }
        checked++;
      }
    }
  }
  // GraphQL over WebSocket on h2 and h2c at least (its WebSocket rides the HTTP/1.1 Upgrade only).
  t.true(checked >= 2, `expected at least 2 variant × transport skips in the registry, got ${checked}`);
});

for (const [entry, variant] of REALTIME_REGISTRY.flatMap((e) =>
  (e.variants ?? [undefined]).map((v) => [e, v] as const),
)) {
  // The entry's first transport the variant rides on (GraphQL over WebSocket: h1, never h2).
  const transport =
    entry.transports.find((tr) => !variant?.unsupported?.some((u) => u.transport === tr)) ?? 'h1';
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
    t.deepEqual(cell.counts, { ok: 20 * 15, errors: 0, timeouts: 0, mismatches: 0, lost: 0 });
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

test('fanout-peak plans one cell per push protocol (default transport, encoding, variant), loopback only', (t) => {
  const cells = planMatrix({
    scenarios: ['fanout-peak'],
    protocols: ['websocket', 'socketio', 'rest'],
    transports: undefined,
    transportChoice: 'all',
    networks: ['loopback', '4g'],
  });
  const runs = cells.flatMap((c) => (c.kind === 'run' ? [`${c.protocol}/${c.network}/${c.encoding}`] : []));
  const ws = REALTIME_REGISTRY.find((e) => e.id === 'websocket');
  t.deepEqual(runs.sort(), ['socketio/loopback/json', `websocket/loopback/${ws?.encodings[0]}`]);
  const socketio = cells.find((c) => c.kind === 'run' && c.protocol === 'socketio');
  t.is(socketio?.variant, REALTIME_REGISTRY.find((e) => e.id === 'socketio')?.variants?.[0]?.name);
  const elsewhere = cells.filter((c) => c.network === '4g');
  t.true(elsewhere.length > 0 && elsewhere.every((c) => c.kind === 'skip'));
  t.true(elsewhere.some((c) => c.kind === 'skip' && /loopback only/.test(c.reason)));
});

test('a fleet is capped by the open-file limit or the memory it may take, with the reason', (t) => {
  const probe = (open: number, rssMb: number, limit = 20_000, availableMb = 8_000) => ({
    fds: { limit, open },
    rssBytes: rssMb * 2 ** 20,
    availableBytes: availableMb * 2 ** 20,
  });
  // Light clients: 100 more cost 100 descriptors and 5 MB, so 10,000 fit.
  t.deepEqual(fleetCap(10_000, 200, 100, probe(200, 100), probe(300, 105)), { cap: 10_000 });
  // A 4,096-descriptor limit at 1 descriptor a client: 4,096 − 300 − the reserve, plus the 200 connected.
  const fd = fleetCap(10_000, 200, 100, probe(200, 100, 4_096), probe(300, 105, 4_096));
  t.is(fd.cap, 200 + 4_096 - 300 - FD_RESERVE);
  t.regex(fd.reason ?? '', /open-file limit \(4096\)/);
  // ~1 MB a client (QUIC here) with 8 GB available: half of it, less what the batch took, holds ~3,900 more.
  const mem = fleetCap(10_000, 200, 100, probe(200, 100), probe(300, 200));
  t.true(mem.cap > 3_000 && mem.cap < 5_000, `expected ~4,100, got ${mem.cap}`);
  t.regex(mem.reason ?? '', /^memory: 1024 KB resident per subscriber/);
  // Never below what is already connected, never above the target.
  t.is(fleetCap(10_000, 200, 100, probe(200, 100, 400), probe(300, 105, 400)).cap, 200);
  t.is(fleetCap(150, 200, 100, probe(200, 100), probe(300, 105)).cap, 150);
});
