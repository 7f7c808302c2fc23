import test, { type ExecutionContext } from 'ava';
import { measureResumed } from '../../bench/protocols/measure-resumed.js';
import { findRpcScenario } from '../../bench/scenarios/catalog.js';
import type { Scenario } from '../../bench/scenarios/types.js';
import type { ClientOptions, ProtocolClient } from '../../clients/types.js';
import { http3Unavailable } from '../../lib/http3/index.js';
import { type GeneratedTls, generateTls } from '../../lib/tls.js';
import { findProtocol } from '../../protocols/registry.js';
import type { ProtocolId } from '../../protocols/types.js';
import { DATASET_PRESETS, FeedCore } from '../../services/core/index.js';
import type { ServerHandle } from '../../services/types.js';

/**
 * Resumed TTFB over HTTP/3: every h3 request/response client offers the
 * first client's QUIC session ticket, the package cannot say whether a
 * handshake resumed, so audit connections decide — and a server that
 * declines is reported, never timed as resumed.
 */
const core = new FeedCore({ seed: 1, preset: DATASET_PRESETS.small });
const servers: ServerHandle[] = [];
let tls: GeneratedTls;
let skipped: string | undefined;

test.before(async () => {
  tls = await generateTls();
  skipped = await http3Unavailable(tls);
});
test.after.always(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

async function serve(protocol: ProtocolId): Promise<(extra: Partial<ClientOptions>) => ProtocolClient> {
  const entry = findProtocol(protocol);
  if (!entry) throw new Error(`expected a registry entry for ${protocol}`);
  const server = await entry.start(core, { host: '127.0.0.1', port: 0, transport: 'h3', tls });
  servers.push(server);
  const encoding = entry.encodings.includes('proto') ? 'proto' : 'json';
  return (extra) =>
    entry.createClient({ url: server.url, transport: 'h3', encoding, caPem: tls.caPem, ...extra });
}

const options = (protocol: string) => ({
  transport: 'h3' as const,
  protocol,
  encoding: 'json' as const,
  oracle: core,
  seed: 3,
  samples: 3,
  timeoutMs: 10_000,
  signal: new AbortController().signal,
});

function h3(title: string, body: (t: ExecutionContext, scenario: Scenario) => Promise<void>): void {
  test.serial(title, async (t) => {
    if (skipped) {
      t.log(`skipped: h3 cannot run here: ${skipped}`);
      t.pass();
      return;
    }
    const scenario = findRpcScenario('get-small');
    if (!scenario) return t.fail('expected get-small');
    await body(t, scenario);
  });
}

for (const protocol of ['rest', 'graphql', 'connect', 'grpc-web', 'grpc'] as const) {
  h3(
    `${protocol}/h3: fresh clients offering the first client's ticket resume (audited), and are timed`,
    async (t, scenario) => {
      const make = await serve(protocol);
      const { resumption, ttfb } = await measureResumed(make, scenario, {
        ...options(protocol),
        encoding: protocol === 'rest' || protocol === 'graphql' ? 'json' : 'proto',
      });
      t.like(resumption, { state: 'resumed', samples: 3, resumed: 3 });
      if (resumption.state !== 'resumed') return;
      t.log(resumption.evidence);
      t.regex(resumption.evidence ?? '', /flight \d+ B with the ticket vs \d+ B without/);
      t.regex(resumption.zeroRtt ?? '', /0-RTT/);
      t.is(ttfb?.count, 3);
    },
  );
}

h3(
  'an h3 client offering a garbage ticket works (full handshake, no error) and reports its handshake as unreported',
  async (t) => {
    const make = await serve('rest');
    const client = make({ tlsSession: Buffer.alloc(300, 7) });
    t.teardown(() => client.close());
    await client.connect();
    t.like(client.tlsResumption?.(), { resumed: 0, full: 0, unreported: 1 });
    // TLS 1.3 sends the ticket after the handshake: wait for it.
    const deadline = Date.now() + 2000;
    while (!client.tlsResumption?.().session && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 10));
    t.truthy(client.tlsResumption?.().session, 'the full handshake issued a fresh ticket');
    const audit = await client.auditResumption?.(Buffer.alloc(300, 7));
    t.is(audit?.resumed, false, audit?.evidence);
    const plain = make({});
    t.teardown(() => plain.close());
    await plain.connect();
    t.like(plain.tlsResumption?.(), { resumed: 0, full: 1, unreported: 0 });
  },
);

h3(
  'when the audit finds the ticket declined, unreported samples are not timed and the reason says why',
  async (t, scenario) => {
    const make = await serve('rest');
    const declining = (extra: Partial<ClientOptions>): ProtocolClient => {
      const client = make(extra);
      return Object.assign(client, {
        auditResumption: async () => ({
          resumed: false,
          evidence: 'server handshake flight 650 B with the ticket',
        }),
      });
    };
    const { resumption, ttfb } = await measureResumed(declining, scenario, options('rest'));
    t.like(resumption, { state: 'not-resumed', samples: 3, resumed: 0 });
    t.regex(
      'reason' in resumption ? resumption.reason : '',
      /declined .*audit before the samples: server handshake flight 650 B/,
    );
    t.is(ttfb, undefined);
  },
);
