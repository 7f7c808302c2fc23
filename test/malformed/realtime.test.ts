import test from 'ava';
import type { RealtimeClient } from '../../clients/realtime/index.js';
import { REALTIME_REGISTRY, type RealtimeEntry } from '../../protocols/realtime-registry.js';
import type { TransportId } from '../../protocols/types.js';
import { DATASET_PRESETS, FeedCore } from '../../services/core/index.js';
import type { RealtimeServerHandle } from '../../services/realtime/index.js';
import { post, take } from '../realtime/helpers.js';
import { rawWebSocket } from '../realtime/raw-ws.js';
import { runTls, unavailable } from '../rest/fixtures.js';
import {
  expectationOn,
  MAX_BODY_BYTES,
  REALTIME_MALFORMED_CASES,
  type RealtimeCases,
} from './cases/index.js';
import { mismatches } from './decode.js';
import { watchProcess } from './guard.js';
import { openRawSender } from './send.js';
import { cleartextBridge } from './tls-bridge.js';

/**
 * The malformed-input suite for the push protocols, driven by
 * protocols/realtime-registry.ts: every entry × transport × case of its list
 * (./cases/realtime/). Raw HTTP requests must get their status and code; raw
 * WebSocket frames must close their connection with their code. After every
 * case, the registry's client (connected before the first case) subscribes
 * to a fresh topic, publishes to it and must receive that very event.
 */
const core = new FeedCore({ seed: 1, preset: DATASET_PRESETS.small });
const guard = watchProcess();
const tally = { combinations: 0, skipped: [] as string[] };

test.serial('every realtime registry entry has a malformed-input case list', (t) => {
  const missing = REALTIME_REGISTRY.filter((e) => REALTIME_MALFORMED_CASES[e.id] === undefined).map(
    (e) => e.id,
  );
  t.deepEqual(
    missing,
    [],
    `expected a case list in test/malformed/cases/realtime/ (and its index.ts) for every realtime registry entry; missing: ${missing.join(', ')}`,
  );
});

for (const entry of REALTIME_REGISTRY) {
  for (const transport of entry.transports) {
    test.serial(`${entry.id}/${transport}: each malformed request is refused; push goes on`, async (t) => {
      const list = REALTIME_MALFORMED_CASES[entry.id];
      if (!list)
        return t.fail(`${entry.id}: expected a case list in test/malformed/cases/realtime/, got none`);
      const reason = await unavailable(transport);
      if (reason) {
        tally.skipped.push(`${entry.id}/${transport}: ${reason}`);
        t.log(`skipped: ${transport} cannot run here: ${reason}`);
        t.pass();
        return;
      }
      const problems = await runList(entry, transport, list);
      t.deepEqual(problems, [], `${entry.id}/${transport}: expected every answer as its case says`);
      const count = list.http.length + (list.frames?.length ?? 0);
      t.log(`${count} cases, each followed by a subscribe + publish with the registry client`);
    });
  }
}

test.serial('no unhandled rejection or uncaught exception during the realtime suite', (t) => {
  t.log(`${tally.combinations} realtime protocol × transport × case combinations ran`);
  for (const line of tally.skipped) t.log(`skipped: ${line}`);
  t.true(tally.combinations > 0, 'expected at least one combination to run');
  t.deepEqual(guard.stop(), [], 'expected no unhandled rejection or uncaught exception');
});

/** Starts the entry's server on port 0 and its client, runs the list, closes both; returns every problem. */
async function runList(entry: RealtimeEntry, transport: TransportId, list: RealtimeCases): Promise<string[]> {
  const tls = await runTls();
  const problems: string[] = [];
  let server: RealtimeServerHandle | undefined;
  let client: RealtimeClient | undefined;
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
    });
    await client.connect();
    const checkPush = async (after: string): Promise<void> => {
      const problem = await subscribeAndPublish(
        client!,
        `malformed-${entry.id}-${transport}-${tally.combinations}`,
      );
      if (problem) problems.push(`after "${after}": ${problem}`);
      tally.combinations++;
    };
    const sender = await openRawSender(transport, server.url, tls.caPem);
    try {
      for (const c of list.http) {
        const answer = await sender.send(c.request).catch((error: Error) => error);
        if (answer instanceof Error) problems.push(`"${c.name}": expected an answer, got ${answer.message}`);
        else
          for (const problem of mismatches(answer, expectationOn(c, transport)))
            problems.push(`"${c.name}": ${problem}`);
        await checkPush(c.name);
      }
    } finally {
      await sender.close();
    }
    const bridge = await cleartextBridge(server.url, tls.caPem);
    try {
      for (const c of list.frames ?? []) {
        const ws = await rawWebSocket(bridge.url);
        ws.socket.write(c.frames());
        const code = await ws.closeCode;
        ws.socket.destroy();
        if (code !== c.expect.closeCode)
          problems.push(`"${c.name}": close code: expected ${c.expect.closeCode}, got ${code}`);
        await checkPush(c.name);
      }
    } finally {
      await bridge.close();
    }
    return problems;
  } finally {
    await client?.close();
    await server?.close();
  }
}

/** A fresh subscription must receive the event the same client publishes; a problem's description, or undefined. */
async function subscribeAndPublish(client: RealtimeClient, topic: string): Promise<string | undefined> {
  const sub = client.subscribe(topic);
  try {
    await sub.ready;
    const published = await client.publish(topic, post(1));
    const [event] = await take(sub, 1, 5000);
    if (event?.seq !== published.seq || event.payload.case !== 'post' || event.payload.value.id !== 'p1') {
      return `expected the published event (seq ${published.seq}, post p1) on the subscription, got ${String(event?.seq)}`;
    }
    return undefined;
  } catch (error) {
    return `expected subscribe + publish to work, got ${(error as Error).message}`;
  } finally {
    sub.close();
  }
}
