import test from 'ava';
import { measureResumed } from '../../bench/protocols/measure-resumed.js';
import { findRpcScenario } from '../../bench/scenarios/catalog.js';
import type { ClientOptions, ProtocolClient } from '../../clients/types.js';
import { generateTls } from '../../lib/tls.js';
import { findProtocol } from '../../protocols/registry.js';
import type { ProtocolId, TransportId } from '../../protocols/types.js';
import { DATASET_PRESETS, FeedCore } from '../../services/core/index.js';
import type { ServerHandle } from '../../services/types.js';

const core = new FeedCore({ seed: 1, preset: DATASET_PRESETS.small });
const servers: ServerHandle[] = [];
const tls = generateTls();
test.after.always(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

async function serve(
  transport: TransportId,
  protocol: ProtocolId = 'rest',
): Promise<(extra: Partial<ClientOptions>) => ProtocolClient> {
  const entry = findProtocol(protocol);
  if (!entry) throw new Error(`expected a registry entry for ${protocol}`);
  const material = await tls;
  const server = await entry.start(core, { host: '127.0.0.1', port: 0, transport, tls: material });
  servers.push(server);
  return (extra) =>
    entry.createClient({ url: server.url, transport, encoding: 'json', caPem: material.caPem, ...extra });
}

const options = (transport: TransportId) => ({
  transport,
  protocol: 'rest',
  encoding: 'json' as const,
  oracle: core,
  seed: 3,
  samples: 4,
  timeoutMs: 10_000,
  signal: new AbortController().signal,
});

for (const [protocol, transport] of [
  ['rest', 'h1s'],
  ['rest', 'h2'],
  ['graphql', 'h1s'],
  ['graphql', 'h2'],
  ['connect', 'h1s'],
  ['grpc-web', 'h1s'],
] as const) {
  test(`${protocol}/${transport}: fresh clients offering a first client's TLS session resume it, and are timed`, async (t) => {
    const scenario = findRpcScenario('get-small');
    if (!scenario) return t.fail('expected get-small');
    const make = await serve(transport, protocol);
    const { resumption, ttfb } = await measureResumed(make, scenario, { ...options(transport), protocol });
    t.deepEqual(resumption, { state: 'resumed', samples: 4, resumed: 4 });
    t.is(ttfb?.count, 4);
    t.true((ttfb?.summaryMs().p50 ?? 0) > 0);
  });
}

test('a client that offers no session does a full handshake (the tracker counts it as full)', async (t) => {
  const make = await serve('h2');
  const client = make({});
  t.teardown(() => client.close());
  await client.connect();
  t.deepEqual(
    { resumed: client.tlsResumption?.().resumed, full: client.tlsResumption?.().full },
    { resumed: 0, full: 1 },
  );
});

test('a cleartext transport is not-applicable, a client without tlsResumption unsupported — each with a reason', async (t) => {
  const scenario = findRpcScenario('get-small');
  if (!scenario) return t.fail('expected get-small');
  const cleartext = await measureResumed(() => t.fail() as never, scenario, options('h2c'));
  t.is(cleartext.resumption.state, 'not-applicable');
  const make = await serve('h2');
  const bare = (extra: Partial<ClientOptions>): ProtocolClient => {
    const client = make(extra);
    return { ...client, tlsResumption: undefined, close: () => client.close() } as ProtocolClient;
  };
  const unsupported = await measureResumed(bare, scenario, options('h2'));
  t.is(unsupported.resumption.state, 'unsupported');
  t.regex('reason' in unsupported.resumption ? unsupported.resumption.reason : '', /takes no TLS session/);
  t.is(unsupported.ttfb, undefined);
});
