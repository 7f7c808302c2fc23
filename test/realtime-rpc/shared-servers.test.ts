import http from 'node:http';
import test from 'ava';
import type { RealtimeClient } from '../../clients/realtime/index.js';
import { generateTls } from '../../lib/tls.js';
import { findRealtime, REALTIME_REGISTRY } from '../../protocols/realtime-registry.js';
import { findProtocol } from '../../protocols/registry.js';
import { isTlsTransport } from '../../protocols/types.js';
import { DATASET_PRESETS, FeedCore } from '../../services/core/index.js';
import { GRAPHQL_PATH } from '../../services/graphql/index.js';
import { CASES, caseName, post, range, seqs, serve, take, waitFor } from '../realtime/helpers.js';

/**
 * The push protocols that are also request/response protocols (gRPC,
 * Connect, GraphQL serve TopicService as RPCs beside FeedService). Read from
 * the registries, never named: an id in both registries is what this file is about.
 */
const BOTH = REALTIME_REGISTRY.filter((entry) => findProtocol(entry.id) !== undefined);
const core = new FeedCore({ seed: 1, preset: DATASET_PRESETS.small });
let topicNo = 0;
const freshTopic = (): string => `rpc-${++topicNo}`;

test('the registries share gRPC, Connect and GraphQL', (t) => {
  t.deepEqual(BOTH.map((e) => e.id).sort(), ['connect', 'graphql', 'grpc']);
});

// `npm run services` and the bench start the request/response server for an id in both
// registries (services/start-all.ts): it must serve the push client as well.
for (const entry of BOTH) {
  const transport = entry.transports[0];
  const encoding = entry.encodings[0];
  if (!transport || !encoding) continue;
  test(`${entry.id}/${transport}: the request/response server also serves the push client`, async (t) => {
    const rpc = findProtocol(entry.id);
    if (!rpc) return t.fail(`expected ${entry.id} in the request/response registry`);
    const tls = isTlsTransport(transport) ? await generateTls() : undefined;
    const server = await rpc.start(core, { host: '127.0.0.1', port: 0, transport, ...(tls ? { tls } : {}) });
    const clients = [0, 1].map(() =>
      entry.createClient({ url: server.url, transport, encoding, ...(tls ? { caPem: tls.caPem } : {}) }),
    );
    t.teardown(async () => {
      await Promise.all(clients.map((cl) => cl.close()));
      await server.close();
    });
    const [subscriber, publisher] = clients as [RealtimeClient, RealtimeClient];
    const topic = freshTopic();
    const sub = subscriber.subscribe(topic);
    await sub.ready;
    for (let i = 1; i <= 5; i++) await publisher.publish(topic, post(i));
    t.deepEqual(seqs(await take(sub, 5)), range(1, 5));
  });
}

for (const c of CASES.filter((x) => BOTH.some((e) => e.id === x.protocol))) {
  test(`${caseName(c)}: closing one subscription frees its stream while the connection stays`, async (t) => {
    const { server, client } = await serve(t, c, core);
    const topic = freshTopic();
    const cl = client();
    const kept = cl.subscribe(`${topic}-kept`);
    const closed = cl.subscribe(topic);
    await Promise.all([kept.ready, closed.ready]);
    // One channel per subscription (a stream or held response), or one shared by both (a WebSocket).
    const shared = findRealtime(c.protocol)?.variants?.find((v) => v.name === c.variant)?.sharedConnection;
    t.is(server.connections(), shared ? 1 : 2);
    closed.close();
    await waitFor(
      () => server.connections() === 1 && core.topics.subscriberCount(topic) === 0,
      shared
        ? 'the hub subscription freed, the shared connection kept'
        : 'one stream and its hub subscription freed',
    );
    t.true((cl.connectionCount?.() ?? 0) >= 1, 'the client still holds a connection');
    core.topics.publish(`${topic}-kept`, post(1));
    t.deepEqual(seqs(await take(kept, 1)), [1n], 'the other subscription still delivers');
  });
}

test('graphql: publish with both a post and a comment is INVALID_ARGUMENT; the server keeps serving', async (t) => {
  const c = CASES.find((x) => x.protocol === 'graphql' && x.transport === 'h1');
  if (!c) return t.fail('expected a graphql/h1 case');
  const { server } = await serve(t, c, core);
  const query =
    'mutation ($p: PostInput, $c: CommentInput) { publish(topic: "t", post: $p, comment: $c) { seq } }';
  const both = await postJson(`${server.url}${GRAPHQL_PATH}`, {
    query,
    variables: { p: { id: 'p' }, c: { id: 'c' } },
  });
  t.like(both, { data: null, errors: [{ extensions: { code: 'INVALID_ARGUMENT' } }] });
  t.regex(JSON.stringify(both), /expected a post or a comment, got both/);
  const none = await postJson(`${server.url}${GRAPHQL_PATH}`, { query, variables: {} });
  t.regex(JSON.stringify(none), /expected a post or a comment, got none/);
  const one = await postJson(`${server.url}${GRAPHQL_PATH}`, { query, variables: { p: { id: 'p' } } });
  t.like(one, { data: { publish: { seq: '1' } } });
});

function postJson(url: string, body: unknown): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method: 'POST', headers: { 'content-type': 'application/json' } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
        });
        res.once('end', () => resolve(JSON.parse(text)));
      },
    );
    req.once('error', reject);
    req.end(JSON.stringify(body));
  });
}
