import test, { type ExecutionContext } from 'ava';
import WebSocket from 'ws';
import { createRealtimeClient } from '../../clients/graphql-realtime/index.js';
import { DATASET_PRESETS, FeedCore } from '../../services/core/index.js';
import { startGraphql, startGraphqlRealtime } from '../../services/graphql/index.js';
import type { RealtimeLimits, RealtimeServerHandle } from '../../services/realtime/index.js';
import { post, take, waitFor } from '../realtime/helpers.js';

/**
 * GraphQL over WebSocket (graphql-ws, graphql-transport-ws) at the protocol
 * level: raw protocol messages on a `ws` socket, so every refusal is seen
 * with its close code or `error` message, and every limit of the push
 * services (message size, operations per connection, idle, heartbeat) holds
 * without taking the server down.
 */
const core = new FeedCore({ seed: 1, preset: DATASET_PRESETS.small });
const PROTOCOL = 'graphql-transport-ws';
const SUBSCRIBE =
  'subscription T($topic: String!, $afterSeq: Int64) { topic(topic: $topic, afterSeq: $afterSeq) { subscribed { lastSeq } event { seq } } }';
let topicNo = 0;
const freshTopic = (): string => `ws-${++topicNo}`;

interface Message {
  readonly type: string;
  readonly id?: string;
  readonly payload?: unknown;
}

/** A raw graphql-transport-ws connection: messages in, what the server sent, how it closed. */
class RawGraphqlWs {
  readonly received: Message[] = [];
  readonly closed: Promise<number>;
  private readonly waiters: (() => void)[] = [];

  constructor(readonly ws: WebSocket) {
    ws.on('error', () => {});
    ws.on('message', (data) => {
      this.received.push(JSON.parse(String(data)) as Message);
      for (const wake of this.waiters.splice(0)) wake();
    });
    this.closed = new Promise((resolve) => ws.once('close', (code) => resolve(code)));
  }

  send(message: unknown): void {
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** The first message (from `from` on) of `type`, failing after 5 s. */
  async next(type: string, from = 0): Promise<Message> {
    const deadline = Date.now() + 5000;
    for (;;) {
      const found = this.received.slice(from).find((m) => m.type === type);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`expected a ${type} message within 5 s, got none`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
  }
}

async function serve(t: ExecutionContext, limits: Partial<RealtimeLimits> = {}) {
  const server = await startGraphqlRealtime(core, { host: '127.0.0.1', port: 0, transport: 'h1', limits });
  t.teardown(() => server.close());
  return server;
}

/** Opens a socket on the GraphQL path; `init` sends connection_init and waits for the ack. */
async function open(server: RealtimeServerHandle, init = true, protocol = PROTOCOL): Promise<RawGraphqlWs> {
  const ws = new WebSocket(`${server.url.replace('http', 'ws')}/graphql`, protocol);
  const raw = new RawGraphqlWs(ws);
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  if (init) {
    raw.send({ type: 'connection_init' });
    await raw.next('connection_ack');
  }
  return raw;
}

/** After a refusal the server still serves: a fresh connection subscribes and receives an event. */
async function stillServes(t: ExecutionContext, server: RealtimeServerHandle): Promise<void> {
  const client = createRealtimeClient({
    url: server.url,
    transport: 'h1',
    encoding: 'json',
    graphqlCarrier: 'websocket',
  });
  try {
    const topic = freshTopic();
    const sub = client.subscribe(topic);
    await sub.ready;
    const published = await client.publish(topic, post(1));
    const [event] = await take(sub, 1);
    t.is(event?.seq, published.seq, 'a new connection still subscribes and receives');
  } finally {
    await client.close();
  }
}

const protocolFaults: [string, (raw: RawGraphqlWs) => void, boolean, number][] = [
  ['a message that is not JSON', (raw) => raw.send('{"type":'), true, 4400],
  ['an unknown message type', (raw) => raw.send({ type: 'shout' }), true, 4400],
  ['a subscribe without a query', (raw) => raw.send({ type: 'subscribe', id: '1', payload: {} }), true, 4400],
  [
    'a subscribe before connection_init',
    (raw) => raw.send({ type: 'subscribe', id: '1', payload: { query: SUBSCRIBE } }),
    false,
    4401,
  ],
  ['a second connection_init', (raw) => raw.send({ type: 'connection_init' }), true, 4429],
  [
    'a second operation under a live id',
    (raw) => {
      const subscribe = {
        type: 'subscribe',
        id: 'same',
        payload: { query: SUBSCRIBE, variables: { topic: 'd' } },
      };
      raw.send(subscribe);
      raw.send(subscribe);
    },
    true,
    4409,
  ],
];

for (const [name, act, init, code] of protocolFaults) {
  test(`${name} closes that connection with ${code}; the server keeps serving`, async (t) => {
    const server = await serve(t);
    const raw = await open(server, init);
    act(raw);
    t.is(await raw.closed, code);
    await waitFor(() => server.connections() === 0, 'connections() back to 0');
    await stillServes(t, server);
  });
}

test('a socket that offers no graphql-transport-ws subprotocol is closed with 4406', async (t) => {
  const server = await serve(t);
  const ws = new WebSocket(`${server.url.replace('http', 'ws')}/graphql`);
  const raw = new RawGraphqlWs(ws);
  t.is(await raw.closed, 4406);
  await stillServes(t, server);
});

test(`a message over maxPayloadBytes closes that connection with 1009`, async (t) => {
  const server = await serve(t, { maxPayloadBytes: 1024 });
  const raw = await open(server);
  raw.send({ type: 'subscribe', id: '1', payload: { query: `# ${'x'.repeat(4096)}\n${SUBSCRIBE}` } });
  t.is(await raw.closed, 1009);
  await stillServes(t, server);
});

test('an invalid query is an error message for its id; the connection goes on', async (t) => {
  const server = await serve(t);
  const raw = await open(server);
  raw.send({ type: 'subscribe', id: 'bad', payload: { query: 'subscription { topic(topic: "t") { ' } });
  raw.send({ type: 'subscribe', id: 'unknown', payload: { query: 'subscription { nope }' } });
  const parse = await raw.next('error');
  t.like(parse, { id: 'bad', payload: [{ extensions: { code: 'GRAPHQL_PARSE_FAILED' } }] });
  const validation =
    raw.received.find((m) => m.type === 'error' && m.id === 'unknown') ?? (await raw.next('error', 2));
  t.like(validation, { id: 'unknown', payload: [{ extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }] });
  const topic = freshTopic();
  raw.send({ type: 'subscribe', id: 'ok', payload: { query: SUBSCRIBE, variables: { topic } } });
  t.like(await raw.next('next'), {
    id: 'ok',
    payload: { data: { topic: { subscribed: { lastSeq: '0' } } } },
  });
  raw.ws.close();
});

test('a refusal by the core (empty topic) comes as a next with the core code, then complete', async (t) => {
  const server = await serve(t);
  const raw = await open(server);
  raw.send({ type: 'subscribe', id: 'e', payload: { query: SUBSCRIBE, variables: { topic: '' } } });
  t.like(await raw.next('next'), {
    id: 'e',
    payload: { errors: [{ extensions: { code: 'INVALID_ARGUMENT' } }] },
  });
  t.like(await raw.next('complete'), { id: 'e' });
  raw.ws.close();
});

test('more operations than maxSubscriptionsPerConnection: the extra one is refused, the others go on', async (t) => {
  const server = await serve(t, { maxSubscriptionsPerConnection: 2 });
  const raw = await open(server);
  const topic = freshTopic();
  for (const id of ['a', 'b', 'c']) {
    raw.send({ type: 'subscribe', id, payload: { query: SUBSCRIBE, variables: { topic } } });
  }
  t.like(await raw.next('error'), {
    id: 'c',
    payload: [{ extensions: { code: 'RESOURCE_EXHAUSTED' } }],
  });
  await waitFor(() => core.topics.subscriberCount(topic) === 2, 'two hub subscriptions');
  core.topics.publish(topic, post(1));
  await waitFor(
    () =>
      raw.received.filter((m) => m.type === 'next' && JSON.stringify(m.payload).includes('"seq"')).length ===
      2,
    'the event on both admitted subscriptions',
  );
  // Completing one frees its place (and its hub subscription) at once.
  raw.send({ type: 'complete', id: 'a' });
  await waitFor(() => core.topics.subscriberCount(topic) === 1, 'the completed subscription freed');
  raw.send({ type: 'subscribe', id: 'd', payload: { query: SUBSCRIBE, variables: { topic } } });
  await waitFor(() => core.topics.subscriberCount(topic) === 2, 'the new one admitted');
  raw.ws.close();
  await waitFor(() => core.topics.subscriberCount(topic) === 0 && server.connections() === 0, 'all freed');
  t.pass();
});

// The timer tests run serially (before the others): a loaded machine must not make a short limit fire early.
test.serial('a connection with no operation and no message is closed 1000 after idleTimeoutMs', async (t) => {
  const server = await serve(t, { idleTimeoutMs: 100 });
  // No connection_init either: the idle limit (100 ms) comes before graphql-ws's init timeout (3 s).
  const raw = await open(server, false);
  t.is(await raw.closed, 1000);
  await waitFor(() => server.connections() === 0, 'connections() back to 0');
});

test.serial('a live subscription keeps an otherwise quiet connection open past idleTimeoutMs', async (t) => {
  const server = await serve(t, { idleTimeoutMs: 300 });
  const raw = await open(server);
  raw.send({ type: 'subscribe', id: 's', payload: { query: SUBSCRIBE, variables: { topic: freshTopic() } } });
  await raw.next('next');
  await new Promise((resolve) => setTimeout(resolve, 1000));
  t.is(raw.ws.readyState, WebSocket.OPEN);
  raw.ws.close();
});

test.serial('a peer that never answers pings is terminated and its subscription freed', async (t) => {
  const server = await serve(t, { heartbeatMs: 300 });
  const ws = new WebSocket(`${server.url.replace('http', 'ws')}/graphql`, PROTOCOL, { autoPong: false });
  const raw = new RawGraphqlWs(ws);
  await new Promise((resolve) => ws.once('open', resolve));
  raw.send({ type: 'connection_init' });
  await raw.next('connection_ack');
  const topic = freshTopic();
  raw.send({ type: 'subscribe', id: 's', payload: { query: SUBSCRIBE, variables: { topic } } });
  await raw.next('next');
  t.is(await raw.closed, 1006, 'cut without a close frame');
  await waitFor(() => server.connections() === 0 && core.topics.subscriberCount(topic) === 0, 'all freed');
});

test('server close sends 1001 (going away) to every WebSocket client', async (t) => {
  const server = await serve(t);
  const raws = await Promise.all([open(server), open(server), open(server)]);
  await server.close();
  t.deepEqual(await Promise.all(raws.map((r) => r.closed)), [1001, 1001, 1001]);
});

test('an upgrade to another path gets 404', async (t) => {
  const server = await serve(t);
  const ws = new WebSocket(`${server.url.replace('http', 'ws')}/elsewhere`, PROTOCOL);
  const error = await new Promise<Error>((resolve) => ws.once('error', resolve));
  t.regex(error.message, /404/);
});

test('the request/response server (startGraphql, what npm run services runs) carries the WebSocket too and counts and cuts its subscribers', async (t) => {
  const server = await startGraphql(core, { host: '127.0.0.1', port: 0, transport: 'h1' });
  t.teardown(() => server.close());
  if (!('connections' in server)) return t.fail('expected connections() on the h1 handle');
  const clients = (['websocket', 'sse'] as const).map((carrier) =>
    createRealtimeClient({ url: server.url, transport: 'h1', encoding: 'json', graphqlCarrier: carrier }),
  );
  t.teardown(() => Promise.all(clients.map((c) => c.close())));
  const topic = freshTopic();
  const subs = clients.map((c) => c.subscribe(topic, { afterSeq: 0n }));
  await Promise.all(subs.map((s) => s.ready));
  await waitFor(() => server.connections() === 2, 'one WebSocket and one event stream counted');
  t.true(server.dropConnections() >= 2, 'both cut');
  core.topics.publish(topic, post(1));
  // Both resume after the cut (afterSeq) and get the event published while they were away.
  for (const sub of subs)
    t.deepEqual(
      (await take(sub, 1)).map((e) => e.seq),
      [1n],
    );
  for (const sub of subs) t.true(sub.reconnects >= 1);
  await Promise.all(clients.map((c) => c.close()));
  await waitFor(() => server.connections() === 0, 'connections() back to 0');
});

test('a client that stops reading is cut as a slow consumer, its subscription freed', async (t) => {
  const server = await serve(t, { maxBufferedBytes: 64 * 1024, slowConsumerMs: 200 });
  const raw = await open(server);
  const topic = freshTopic();
  raw.send({ type: 'subscribe', id: 's', payload: { query: SUBSCRIBE, variables: { topic } } });
  await raw.next('next');
  raw.ws.pause();
  let sent = 0;
  while (server.connections() > 0) {
    if (sent > 200_000) return t.fail('expected the slow consumer to be cut, it never was');
    for (let i = 0; i < 200; i++) core.topics.publish(topic, post(++sent, 2000));
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  t.log(`cut after ${sent} events of ~2 KB`);
  await waitFor(() => core.topics.subscriberCount(topic) === 0, 'the hub subscription freed');
  raw.ws.terminate();
  await stillServes(t, server);
});

test('a client that vanishes mid-stream frees its connection and subscription', async (t) => {
  const server = await serve(t);
  const raw = await open(server);
  const topic = freshTopic();
  raw.send({ type: 'subscribe', id: 's', payload: { query: SUBSCRIBE, variables: { topic } } });
  await raw.next('next');
  for (let i = 1; i <= 3; i++) core.topics.publish(topic, post(i));
  raw.ws.terminate();
  await waitFor(
    () => server.connections() === 0 && core.topics.subscriberCount(topic) === 0,
    'every resource freed',
  );
  await stillServes(t, server);
});

test('an oversize publish fails with RESOURCE_EXHAUSTED (1009); a subscription on the same connection resumes', async (t) => {
  const server = await serve(t, { maxPayloadBytes: 4096 });
  const client = createRealtimeClient({
    url: server.url,
    transport: 'h1',
    encoding: 'json',
    graphqlCarrier: 'websocket',
    reconnect: { initialDelayMs: 10, seed: 3 },
  });
  t.teardown(() => client.close());
  const topic = freshTopic();
  const sub = client.subscribe(topic);
  await sub.ready;
  const error = await t.throwsAsync(client.publish(topic, post(1, 8192)));
  t.like(error, { code: 'RESOURCE_EXHAUSTED', protocolStatus: 1009 });
  const published = await client.publish(topic, post(2));
  const [event] = await take(sub, 1);
  t.is(event?.seq, published.seq);
  t.true(sub.reconnects >= 1, 'the subscription redialled and resumed');
});
