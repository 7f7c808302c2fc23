import { type ProtocolEntry, REGISTRY } from '../../protocols/registry.js';
import type { TransportId } from '../../protocols/types.js';
import { FeedService } from '../../schemas/gen/wirebench/v1/feed_pb.js';
import { DATASET_PRESETS, FeedCore } from '../../services/core/index.js';
import { expectationOn, MALFORMED_CASES, type MalformedCase, type ProtocolCases } from './cases/index.js';
import { mismatches } from './decode.js';
import { openRawSender } from './send.js';
import { declareSuite, type ListRun, withServed } from './suite.js';

/**
 * The malformed-input suite of the request/response protocols, driven by
 * protocols/registry.ts: every protocol × every transport its entry lists ×
 * every case of its list (./cases/<protocol>.ts). Each case goes out as raw
 * bytes and must get the status and code it names. After every case:
 * - a well-formed request written by hand goes out on the same raw
 *   connection and must be answered — on h2, h2c and h3 that is one
 *   connection for the whole list, never re-opened, so a refusal that killed
 *   the connection fails every later request and the final `open` check;
 * - the registry's own client (one connection, opened before the first case)
 *   must complete a normal call: the process keeps serving.
 */
const core = new FeedCore({ seed: 1, preset: DATASET_PRESETS.small });

declareSuite({
  family: 'request/response',
  registry: REGISTRY,
  lists: MALFORMED_CASES,
  where: 'test/malformed/cases/ (and its index.ts)',
  run: runList,
});

/** Runs the list against the entry's server, its client and one raw sender, all closed at the end. */
function runList(entry: ProtocolEntry, transport: TransportId, list: ProtocolCases): Promise<ListRun> {
  // One client connection: every "still serving" call after a case reuses it.
  return withServed(entry, core, transport, { connections: 1 }, async ({ server, client, caPem }) => {
    const problems: string[] = [];
    const raw = await openRawSender(transport, server.url, caPem);
    try {
      const send = async (c: MalformedCase, label: string): Promise<void> => {
        const answer = await raw.send(c.request).catch((error: Error) => error);
        if (answer instanceof Error) problems.push(`${label}: expected an answer, got ${answer.message}`);
        else problems.push(...mismatches(answer, expectationOn(c, transport)).map((p) => `${label}: ${p}`));
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
      }
      if (!raw.open)
        problems.push(`${transport}: expected the raw connection still open after every case, got it closed`);
      return { problems, cases: list.cases.length };
    } finally {
      await raw.close();
    }
  });
}
