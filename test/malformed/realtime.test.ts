import type { RealtimeClient } from '../../clients/realtime/index.js';
import { closeName } from '../../lib/push-streams/codes.js';
import { REALTIME_REGISTRY, type RealtimeEntry } from '../../protocols/realtime-registry.js';
import type { TransportId } from '../../protocols/types.js';
import { DATASET_PRESETS, FeedCore } from '../../services/core/index.js';
import { post, take } from '../realtime/helpers.js';
import { rawWebSocket } from '../realtime/raw-ws.js';
import { expectationOn, REALTIME_MALFORMED_CASES, type RealtimeCases } from './cases/index.js';
import { mismatches } from './decode.js';
import { openRawSender } from './send.js';
import { declareSuite, type ListRun, withServed } from './suite.js';
import { cleartextBridge } from './tls-bridge.js';

/**
 * The malformed-input suite of the push protocols, driven by
 * protocols/realtime-registry.ts: every entry × transport × case of its
 * list (./cases/realtime/). Raw HTTP requests must get their status and
 * code; raw WebSocket frames and raw push-stream bytes must close their
 * connection or session with their code. After every case the registry's
 * client (connected before the first case) subscribes to a fresh topic,
 * publishes to it and must receive that very event.
 */
const core = new FeedCore({ seed: 1, preset: DATASET_PRESETS.small });
/** How long a raw session may take to be closed by the server after a malformed frame. */
const CLOSE_WAIT_MS = 5000;

declareSuite({
  family: 'realtime',
  registry: REALTIME_REGISTRY,
  lists: REALTIME_MALFORMED_CASES,
  where: 'test/malformed/cases/realtime/ (and its index.ts)',
  run: runList,
});

/** What each kind of case needs: where the server is, and the check that runs after every case. */
interface Run {
  readonly url: string;
  readonly transport: TransportId;
  readonly caPem: string;
  readonly problems: string[];
  stillPushes(after: string): Promise<void>;
}

/** Runs every kind of case the list has against the entry's server, its client checking after each. */
function runList(entry: RealtimeEntry, transport: TransportId, list: RealtimeCases): Promise<ListRun> {
  return withServed(entry, core, transport, {}, async ({ server, client, caPem }) => {
    const problems: string[] = [];
    let cases = 0;
    const run: Run = {
      url: server.url,
      transport,
      caPem,
      problems,
      stillPushes: async (after) => {
        const problem = await subscribeAndPublish(client, `malformed-${entry.id}-${transport}-${++cases}`);
        if (problem) problems.push(`after "${after}": ${problem}`);
      },
    };
    await runHttp(run, list);
    await runFrames(run, list);
    await runStreams(run, list);
    return { problems, cases };
  });
}

/** Raw HTTP requests on one raw connection (the transport's sender), each answer checked. */
async function runHttp(run: Run, list: RealtimeCases): Promise<void> {
  if (list.http.length === 0) return;
  const sender = await openRawSender(run.transport, run.url, run.caPem);
  try {
    for (const c of list.http) {
      const answer = await sender.send(c.request).catch((error: Error) => error);
      if (answer instanceof Error)
        run.problems.push(`"${c.name}": expected an answer, got ${answer.message}`);
      else {
        const found = mismatches(answer, expectationOn(c, run.transport));
        run.problems.push(...found.map((problem) => `"${c.name}": ${problem}`));
      }
      await run.stillPushes(c.name);
    }
  } finally {
    await sender.close();
  }
}

/** Raw WebSocket frames, one fresh connection each (through a TLS bridge for https), the close code checked. */
async function runFrames(run: Run, list: RealtimeCases): Promise<void> {
  if (!list.frames?.length) return;
  const bridge = await cleartextBridge(run.url, run.caPem);
  try {
    for (const c of list.frames) {
      const ws = await rawWebSocket(bridge.url);
      ws.socket.write(c.frames());
      const code = await ws.closeCode;
      ws.socket.destroy();
      if (code !== c.expect.closeCode) {
        run.problems.push(`"${c.name}": close code: expected ${c.expect.closeCode}, got ${code}`);
      }
      await run.stillPushes(c.name);
    }
  } finally {
    await bridge.close();
  }
}

/** Raw bytes on a fresh stream of a fresh push-streams session each, the session close code checked. */
async function runStreams(run: Run, list: RealtimeCases): Promise<void> {
  if (!list.streams) return;
  for (const c of list.streams.cases) {
    const session = await list.streams.dial(run.url, run.caPem);
    const stream = await session.openStream();
    stream.send(c.bytes);
    const info = await within(session.closed, CLOSE_WAIT_MS);
    await session.close(1000, 'done');
    if (info?.code !== c.expect.closeCode) {
      const got = info ? `${closeName(info.code)} "${info.reason}"` : `no close within ${CLOSE_WAIT_MS} ms`;
      run.problems.push(`"${c.name}": session close: expected ${closeName(c.expect.closeCode)}, got ${got}`);
    }
    await run.stillPushes(c.name);
  }
}

/** `promise`, or undefined after `ms`. */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
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
