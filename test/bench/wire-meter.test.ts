import test from 'ava';
import { PROFILES } from '../../bench/protocols/profiles.js';
import { runCell } from '../../bench/protocols/run-cell.js';
import { findRpcScenario } from '../../bench/scenarios/catalog.js';
import { snapshotWire, type WireSnapshot, wireBetween } from '../../bench/wire/meter.js';
import { http3Unavailable } from '../../lib/http3/index.js';
import { generateTls } from '../../lib/tls.js';
import { DATASET_PRESETS, FeedCore } from '../../services/core/index.js';
import { type RestServerHandle, startRest } from '../../services/rest/index.js';

const servers: RestServerHandle[] = [];
test.after.always(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

const tcp = (...c: [string, number, number][]): WireSnapshot => ({
  source: 'tcp_info',
  connections: c.map(([local, bytesSent, bytesReceived]) => ({ local, bytesSent, bytesReceived })),
});
const counted = (bytesSent: number, bytesReceived: number): WireSnapshot => ({
  source: 'client',
  counters: { bytesSent, bytesReceived },
});

test('tcp_info: the difference per connection; onlyNew keeps connections absent before', (t) => {
  const before = tcp(['a', 100, 1000]);
  const after = tcp(['a', 150, 1600], ['b', 40, 400]);
  t.deepEqual(wireBetween(before, after), { bytesSent: 90, bytesReceived: 1000, source: 'tcp_info' });
  t.deepEqual(wireBetween(before, after, true), { bytesSent: 40, bytesReceived: 400, source: 'tcp_info' });
});

test('client counters: the difference of the two readings', (t) => {
  t.deepEqual(wireBetween(counted(10, 20), counted(110, 2020)), {
    bytesSent: 100,
    bytesReceived: 2000,
    source: 'client',
  });
});

test('nothing counted is unavailable with a reason, never 0', (t) => {
  const none: WireSnapshot = { source: 'none', reason: 'wire bytes unavailable: no counters' };
  t.deepEqual(wireBetween(none, none), { unavailable: 'wire bytes unavailable: no counters' });
  t.regex(String(Object.values(wireBetween(tcp(), tcp(), true))[0]), /no TCP connection of this process/);
  t.regex(String(Object.values(wireBetween(counted(5, 5), counted(5, 5)))[0]), /counted nothing/);
});

test('a QUIC transport without client counters is a `none` snapshot that says why', async (t) => {
  const snapshot = await snapshotWire({}, 'h3', 1);
  t.is(snapshot.source, 'none');
  if (snapshot.source === 'none') t.regex(snapshot.reason, /UDP.*no wireCounters\(\)/);
  const withCounters = await snapshotWire(
    { wireCounters: () => ({ bytesSent: 1, bytesReceived: 2 }) },
    'h3',
    1,
  );
  t.deepEqual(withCounters, counted(1, 2));
});

test('an h3 REST cell reports wire bytes from the client counters: more than the body, handshakes on cold', async (t) => {
  const material = await generateTls();
  const reason = await http3Unavailable({ certPem: material.certPem, keyPem: material.keyPem });
  if (reason) {
    t.log(`skipped: HTTP/3 unavailable here: ${reason}`);
    return t.pass();
  }
  const core = new FeedCore({ seed: 1, preset: DATASET_PRESETS.small });
  const server = await startRest(core, { host: '127.0.0.1', port: 0, transport: 'h3', tls: material });
  servers.push(server);
  const scenario = findRpcScenario('get-small');
  if (!scenario) return t.fail('expected get-small');
  const cell = await runCell(
    { kind: 'run', scenario, protocol: 'rest', transport: 'h3', network: 'loopback', encoding: 'json' },
    {
      url: server.url,
      caPem: material.caPem,
      oracle: core,
      profile: { ...PROFILES.quick, warmupS: 0.1, durationS: 0.3, minSamples: 20, coldSamples: 2 },
      load: { model: 'closed', rate: null, connections: 1, concurrency: 1, durationS: 0.3, warmupS: 0.1 },
      seed: 1,
      signal: new AbortController().signal,
    },
  );
  if (cell.state !== 'completed') return t.fail(`${cell.state}: ${cell.reason}`);
  const b = cell.bytesPerOp;
  t.true(b.responseWire !== null && b.responseWire > b.responseBody, JSON.stringify(b));
  t.true(b.requestWire !== null && b.requestWire > 0, JSON.stringify(b));
  t.true(
    cell.notes.some((n) => /client's own counters/.test(n)),
    cell.notes.join('; '),
  );
  const cold = cell.bytesColdOp;
  t.true(
    cold !== undefined && b.responseWire !== null && cold.responseWire > b.responseWire,
    JSON.stringify(cold),
  );
});
