import test from 'ava';
import type { ClientOptions } from '../../clients/types.js';
import type { EncodingId, ProtocolId, TransportId } from '../../protocols/types.js';
import type { FeedCore } from '../../services/core/index.js';
import type { ServerHandle, StartOptions } from '../../services/types.js';
import { runTls, unavailable } from '../rest/fixtures.js';
import { MAX_BODY_BYTES } from './cases/index.js';
import { watchProcess } from './guard.js';

/** What a registry entry needs for the suite: its id and the transports it lists. */
export interface SuiteEntry {
  readonly id: ProtocolId;
  readonly transports: readonly TransportId[];
}

/** What running one entry's list over one transport found. */
export interface ListRun {
  /** Every mismatch, "expected X, got Y"; empty when all answers were right. */
  readonly problems: readonly string[];
  /** Cases that ran (each followed by its "still serving" check). */
  readonly cases: number;
}

export interface SuiteOptions<E extends SuiteEntry, L> {
  /** Names the suite in test titles and the summary ("request/response", "realtime"). */
  readonly family: string;
  readonly registry: readonly E[];
  readonly lists: Partial<Record<ProtocolId, L>>;
  /** Where a missing list belongs, for the failure message. */
  readonly where: string;
  readonly run: (entry: E, transport: TransportId, list: L) => Promise<ListRun>;
}

/**
 * Declares a registry-driven malformed-input suite, all serial: first, that
 * every entry has a case list (naming each that has none, so whoever adds an
 * entry learns where its cases go); then one test per entry × transport the
 * entry lists (a transport that cannot run on this machine is skipped with
 * the reason); last, the tally of combinations and that no unhandled
 * rejection or uncaught exception escaped while they ran.
 */
export function declareSuite<E extends SuiteEntry, L>(options: SuiteOptions<E, L>): void {
  const { family, registry, lists, where } = options;
  const guard = watchProcess();
  const tally = { combinations: 0, skipped: [] as string[] };

  test.serial(`${family}: every registry entry has a malformed-input case list`, (t) => {
    const missing = registry.filter((entry) => lists[entry.id] === undefined).map((entry) => entry.id);
    t.deepEqual(
      missing,
      [],
      `expected a case list in ${where} for every entry; missing: ${missing.join(', ')}`,
    );
  });

  for (const entry of registry) {
    for (const transport of entry.transports) {
      test.serial(
        `${family} ${entry.id}/${transport}: malformed input is refused, serving goes on`,
        async (t) => {
          const list = lists[entry.id];
          if (list === undefined) return t.fail(`${entry.id}: expected a case list in ${where}, got none`);
          const reason = await unavailable(transport);
          if (reason) {
            tally.skipped.push(`${entry.id}/${transport}: ${reason}`);
            t.log(`skipped: ${transport} cannot run here: ${reason}`);
            t.pass();
            return;
          }
          const { problems, cases } = await options.run(entry, transport, list);
          tally.combinations += cases;
          t.deepEqual(problems, [], `${entry.id}/${transport}: expected every answer as its case says`);
          t.log(`${cases} cases, each followed by a check that the server still serves`);
        },
      );
    }
  }

  test.serial(`${family}: no unhandled rejection or uncaught exception`, (t) => {
    t.log(`${tally.combinations} ${family} protocol × transport × case combinations ran`);
    for (const line of tally.skipped) t.log(`skipped: ${line}`);
    t.true(tally.combinations > 0, 'expected at least one combination to run');
    t.deepEqual(guard.stop(), [], 'expected no unhandled rejection or uncaught exception');
  });
}

/** What both registries' entries offer to start a server and a client for it. */
export interface StartableEntry<S extends ServerHandle, C extends Connectable> {
  readonly encodings: readonly EncodingId[];
  start(core: FeedCore, options: StartOptions): Promise<S>;
  createClient(options: ClientOptions): C;
}

interface Connectable {
  connect(): Promise<void>;
  close(): Promise<void>;
}

/** A server under test, the registry client connected to it, and the run's CA. */
export interface Served<S, C> {
  readonly server: S;
  readonly client: C;
  readonly caPem: string;
}

/**
 * Runs `body` against the entry's server (port 0, the run's TLS, bodies
 * capped at MAX_BODY_BYTES) and its registry client in its default encoding
 * (`client` options on top), connected before `body` starts; closes the
 * client, then the server, however `body` ends.
 */
export async function withServed<S extends ServerHandle, C extends Connectable, R>(
  entry: StartableEntry<S, C>,
  core: FeedCore,
  transport: TransportId,
  client: Pick<ClientOptions, 'connections'>,
  body: (served: Served<S, C>) => Promise<R>,
): Promise<R> {
  const tls = await runTls();
  const options = { host: '127.0.0.1', port: 0, transport, tls, maxBodyBytes: MAX_BODY_BYTES };
  const server = await entry.start(core, options);
  let made: C | undefined;
  try {
    const encoding = entry.encodings[0] ?? 'json';
    made = entry.createClient({ ...client, url: server.url, transport, encoding, caPem: tls.caPem });
    await made.connect();
    return await body({ server, client: made, caPem: tls.caPem });
  } finally {
    await made?.close();
    await server.close();
  }
}
