import test from 'ava';
import type { ProtocolClient } from '../../clients/types.js';
import { type ProtocolEntry, REGISTRY } from '../../protocols/registry.js';
import type { TransportId } from '../../protocols/types.js';
import { FeedService } from '../../schemas/gen/wirebench/v1/feed_pb.js';
import { DATASET_PRESETS, FeedCore } from '../../services/core/index.js';
import type { ServerHandle } from '../../services/types.js';
import { runTls, unavailable } from '../rest/fixtures.js';
import {
  expectationOn,
  MALFORMED_CASES,
  MAX_BODY_BYTES,
  type MalformedCase,
  type ProtocolCases,
} from './cases/index.js';
import { mismatches } from './decode.js';
import { watchProcess } from './guard.js';
import { openRawSender, type RawSender } from './send.js';

/**
 * The malformed-input suite, driven by the registry: every protocol × every
 * transport its entry lists × every case of its list (./cases/<protocol>.ts).
 * Each case goes out as raw bytes and must get the status and code it names.
 * After every case:
 * - a well-formed request written by hand goes out on the same raw
 *   connection and must be answered — on h2, h2c and h3 that is one
 *   connection for the whole list, never re-opened, so a refusal that killed
 *   the connection fails every later request and the final `open` check;
 * - the registry's own client (one connection, opened before the first case)
 *   must complete a normal call: the process keeps serving.
 */
const core = new FeedCore({ seed: 1, preset: DATASET_PRESETS.small });
const guard = watchProcess();
const tally = { combinations: 0, skipped: [] as string[] };

test.serial('every registry entry has a malformed-input case list', (t) => {
  const missing = REGISTRY.filter((entry) => MALFORMED_CASES[entry.id] === undefined).map((e) => e.id);
  t.deepEqual(
    missing,
    [],
    `expected a case list in test/malformed/cases/ for every registry entry, missing: ${missing.join(', ')}`,
  );
});

for (const entry of REGISTRY) {
  for (const transport of entry.transports) {
    test.serial(`${entry.id}/${transport}: each malformed request is refused; serving goes on`, async (t) => {
      const list = MALFORMED_CASES[entry.id];
      if (!list) return t.fail(`${entry.id}: expected a case list in test/malformed/cases/, got none`);
      const reason = await unavailable(transport);
      if (reason) {
        tally.skipped.push(`${entry.id}/${transport}: ${reason}`);
        t.log(`skipped: ${transport} cannot run here: ${reason}`);
        t.pass();
        return;
      }
      const { problems, open } = await runList(entry, transport, list);
      t.deepEqual(problems, [], `${entry.id}/${transport}: expected every answer as its case says`);
      t.true(open, `${entry.id}/${transport}: expected the raw connection still open after every case`);
      t.log(`${list.cases.length} cases, each followed by a well-formed raw request and a client call`);
    });
  }
}

test.serial('no unhandled rejection or uncaught exception during the suite', (t) => {
  t.log(`${tally.combinations} protocol × transport × case combinations ran`);
  for (const line of tally.skipped) t.log(`skipped: ${line}`);
  t.true(tally.combinations > 0, 'expected at least one combination to run');
  t.deepEqual(guard.stop(), [], 'expected no unhandled rejection or uncaught exception');
});

/**
 * Starts the entry's server on port 0, its client and a raw sender, runs the
 * list, and closes all three. Every problem is collected (not only the first)
 * so one run shows everything a change broke.
 */
async function runList(
  entry: ProtocolEntry,
  transport: TransportId,
  list: ProtocolCases,
): Promise<{ problems: string[]; open: boolean }> {
  const tls = await runTls();
  const problems: string[] = [];
  let server: ServerHandle | undefined;
  let client: ProtocolClient | undefined;
  let sender: RawSender | undefined;
  try {
    server = await entry.start(core, {
      host: '127.0.0.1',
      port: 0,
      transport,
      tls,
      maxBodyBytes: MAX_BODY_BYTES,
    });
    client = entry.createClient({
      url: server.url,
      transport,
      encoding: entry.encodings[0] ?? 'json',
      caPem: tls.caPem,
      connections: 1,
    });
    await client.connect();
    const raw = await openRawSender(transport, server.url, tls.caPem);
    sender = raw;
    const send = async (c: MalformedCase, label: string): Promise<void> => {
      const answer = await raw.send(c.request).catch((error: Error) => error);
      if (answer instanceof Error) problems.push(`${label}: expected an answer, got ${answer.message}`);
      else
        for (const problem of mismatches(answer, expectationOn(c, transport)))
          problems.push(`${label}: ${problem}`);
    };
    // The positive control: the sender speaks the protocol, so refusals are about the malformation.
    await send(list.wellFormed, `well-formed "${list.wellFormed.name}"`);
    for (const c of list.cases) {
      await send(c, `"${c.name}"`);
      await send(list.wellFormed, `well-formed request on the same connection after "${c.name}"`);
      const user = await client.unary(FeedService.method.getUser, { id: 'u000001' }).catch((e: Error) => e);
      if (user instanceof Error || user.id !== 'u000001') {
        problems.push(
          `after "${c.name}": expected the registry client's getUser → u000001, got ${String(user)}`,
        );
      }
      tally.combinations++;
    }
    return { problems, open: raw.open };
  } finally {
    await sender?.close();
    await client?.close();
    await server?.close();
  }
}
