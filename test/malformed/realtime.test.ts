import type { RealtimeClient } from '../../clients/realtime/index.js';
import { closeName } from '../../lib/push-streams/codes.js';
import { REALTIME_REGISTRY, type RealtimeEntry } from '../../protocols/realtime-registry.js';
import type { TransportId } from '../../protocols/types.js';
import { DATASET_PRESETS, FeedCore } from '../../services/core/index.js';
import { post, take } from '../realtime/helpers.js';
import { type RawWs, rawWebSocket } from '../realtime/raw-ws.js';
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
  readonly entry: RealtimeEntry;
  readonly url: string;
  readonly transport: TransportId;
  readonly caPem: string;
  readonly problems: string[];
  /** After the case named `after`: `client` (default: the registry's) subscribes, publishes and receives. */
  stillPushes(after: string, client?: RealtimeClient): Promise<void>;
}

/** Runs every kind of case the list has against the entry's server, its client checking after each. */
function runList(entry: RealtimeEntry, transport: TransportId, list: RealtimeCases): Promise<ListRun> {
  return withServed(entry, core, transport, {}, async ({ server, client, caPem }) => {
    const problems: string[] = [];
    let cases = 0;
    const run: Run = {
      entry,
      url: server.url,
      transport,
      caPem,
      problems,
      stillPushes: async (after, other = client) => {
        const problem = await subscribeAndPublish(other, `malformed-${entry.id}-${transport}-${++cases}`);
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

/**
 * Raw WebSocket frames, one fresh connection each (through a TLS bridge for
 * https), the close code or the reply checked; then a new connection of the
 * carrier the frames went over (the list's `framesOn.variant`) must serve.
 */
async function runFrames(run: Run, list: RealtimeCases): Promise<void> {
  if (!list.frames?.length) return;
  const target = list.framesOn;
  if (target && !target.transports.includes(run.transport)) return;
  const variant = run.entry.variants?.find((v) => v.name === target?.variant);
  const carrier = variant
    ? run.entry.createClient({
        url: run.url,
        transport: run.transport,
        encoding: run.entry.encodings[0] ?? 'json',
        caPem: run.caPem,
        ...variant.options,
      })
    : undefined;
  const bridge = await cleartextBridge(run.url, run.caPem);
  try {
    for (const c of list.frames) {
      const ws = await rawWebSocket(bridge.url, target?.subprotocol, target?.path);
      if (c.opening) {
        ws.socket.write(c.opening.frames());
        if (!(await replyHolding(ws, c.opening.reply, CLOSE_WAIT_MS))) {
          run.problems.push(
            `"${c.name}": expected ${JSON.stringify(c.opening.reply)} to the opening, got none`,
          );
        }
      }
      ws.socket.write(c.frames());
      if ('closeCode' in c.expect) {
        const code = await ws.closeCode;
        if (code !== c.expect.closeCode) {
          run.problems.push(`"${c.name}": close code: expected ${c.expect.closeCode}, got ${code}`);
        }
      } else {
        const want = c.expect.reply;
        if (!(await replyHolding(ws, want, CLOSE_WAIT_MS))) {
          const sent = ws.texts.join(' | ') || 'nothing';
          run.problems.push(`"${c.name}": expected a message with ${JSON.stringify(want)}, got ${sent}`);
        }
      }
      ws.socket.destroy();
      await run.stillPushes(c.name, carrier);
    }
  } finally {
    await carrier?.close();
    await bridge.close();
  }
}

/** Whether a JSON text message from the server holds every field of `want` (dotted paths) within `ms`. */
async function replyHolding(ws: RawWs, want: Readonly<Record<string, string>>, ms: number): Promise<boolean> {
  const holds = (text: string): boolean => {
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      return false;
    }
    return Object.entries(want).every(([path, value]) => String(at(message, path)) === value);
  };
  const deadline = Date.now() + ms;
  while (!ws.texts.some(holds)) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return true;
}

/** The value at a dotted path (`payload.0.extensions.code`), or undefined. */
function at(value: unknown, path: string): unknown {
  let here = value;
  for (const key of path.split('.')) {
    if (typeof here !== 'object' || here === null) return undefined;
    here = (here as Record<string, unknown>)[key];
  }
  return here;
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
