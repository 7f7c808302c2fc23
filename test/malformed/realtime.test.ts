import type { RealtimeClient } from '../../clients/realtime/index.js';
import { closeName } from '../../lib/push-streams/codes.js';
import { REALTIME_REGISTRY, type RealtimeEntry } from '../../protocols/realtime-registry.js';
import type { TransportId } from '../../protocols/types.js';
import { DATASET_PRESETS, FeedCore } from '../../services/core/index.js';
import type { RealtimeServerHandle } from '../../services/realtime/index.js';
import { post, take } from '../realtime/helpers.js';
import { rawWebSocket } from '../realtime/raw-ws.js';
import { runTls } from '../rest/fixtures.js';
import {
  expectationOn,
  MAX_BODY_BYTES,
  REALTIME_MALFORMED_CASES,
  type RealtimeCases,
} from './cases/index.js';
import { mismatches } from './decode.js';
import { openRawSender } from './send.js';
import { declareSuite, type ListRun } from './suite.js';
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

/** Starts the entry's server on port 0 and its client, runs the list, closes both. */
async function runList(entry: RealtimeEntry, transport: TransportId, list: RealtimeCases): Promise<ListRun> {
  const tls = await runTls();
  const problems: string[] = [];
  let cases = 0;
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
    const url = server.url;
    const pushing = entry.createClient({
      url,
      transport,
      encoding: entry.encodings[0] ?? 'json',
      caPem: tls.caPem,
    });
    client = pushing;
    await pushing.connect();
    const stillPushes = async (after: string): Promise<void> => {
      const problem = await subscribeAndPublish(pushing, `malformed-${entry.id}-${transport}-${++cases}`);
      if (problem) problems.push(`after "${after}": ${problem}`);
    };

    const sender = await openRawSender(transport, url, tls.caPem);
    try {
      for (const c of list.http) {
        const answer = await sender.send(c.request).catch((error: Error) => error);
        if (answer instanceof Error) problems.push(`"${c.name}": expected an answer, got ${answer.message}`);
        else
          for (const problem of mismatches(answer, expectationOn(c, transport)))
            problems.push(`"${c.name}": ${problem}`);
        await stillPushes(c.name);
      }
    } finally {
      await sender.close();
    }

    const bridge = await cleartextBridge(url, tls.caPem);
    try {
      for (const c of list.frames ?? []) {
        const ws = await rawWebSocket(bridge.url);
        ws.socket.write(c.frames());
        const code = await ws.closeCode;
        ws.socket.destroy();
        if (code !== c.expect.closeCode) {
          problems.push(`"${c.name}": close code: expected ${c.expect.closeCode}, got ${code}`);
        }
        await stillPushes(c.name);
      }
    } finally {
      await bridge.close();
    }

    for (const c of list.streams?.cases ?? []) {
      const session = await list.streams!.dial(url, tls.caPem);
      const stream = await session.openStream();
      stream.send(c.bytes);
      const info = await within(session.closed, CLOSE_WAIT_MS);
      await session.close(1000, 'done');
      if (info?.code !== c.expect.closeCode) {
        const got = info ? `${closeName(info.code)} "${info.reason}"` : `no close within ${CLOSE_WAIT_MS} ms`;
        problems.push(`"${c.name}": session close: expected ${closeName(c.expect.closeCode)}, got ${got}`);
      }
      await stillPushes(c.name);
    }
    return { problems, cases };
  } finally {
    await client?.close();
    await server?.close();
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
