import net from 'node:net';
import { create, toBinary } from '@bufbuild/protobuf';
import { Client, credentials, type ServiceError, status } from '@grpc/grpc-js';
import test from 'ava';
import {
  PostSchema,
  PublishRequestSchema,
  SubscribeRequestSchema,
  type TopicMessage,
  TopicService,
} from '../../schemas/gen/wirebench/v1/feed_pb.js';
import { DATASET_PRESETS, FeedCore, TopicHub } from '../../services/core/index.js';
import { clientMethodDefinition, grpcPath, startGrpcJs } from '../../services/grpc/index.js';
import type { RealtimeServerHandle } from '../../services/realtime/index.js';
import { post, waitFor } from '../realtime/helpers.js';

/**
 * TopicService on grpc-js, on the wire: what the conformance suite cannot
 * see through the RealtimeClient — the stream's own messages (subscribed,
 * gap), refusals with their status, a cancelled or stalled stream freeing
 * the server side.
 */

/** A hub with a 16-event history, so a resume can fall out of it. */
class ShortHistoryCore extends FeedCore {
  override readonly topics = new TopicHub({ historyPerTopic: 16 });
}

const SUBSCRIBE = clientMethodDefinition(TopicService.method.subscribe);
const PUBLISH = clientMethodDefinition(TopicService.method.publish);
const options = { seed: 1, preset: DATASET_PRESETS.small };

async function serve(
  t: { teardown(fn: () => Promise<void> | void): void },
  core: FeedCore,
  limits = {},
  via?: (serverHost: string) => Promise<string>,
): Promise<{ server: RealtimeServerHandle; client: Client }> {
  const server = await startGrpcJs(core, { host: '127.0.0.1', port: 0, transport: 'h2c', limits });
  const target = via ? await via(new URL(server.url).host) : new URL(server.url).host;
  const client = new Client(target, credentials.createInsecure(), {
    'grpc.use_local_subchannel_pool': 1,
  });
  t.teardown(async () => {
    client.close();
    await server.close();
  });
  return { server, client };
}

/** A Subscribe call; its final status is read from 'status', so 'error' is only silenced. */
function subscribeCall(client: Client, request: { topic: string; afterSeq?: bigint | undefined }) {
  const call = client.makeServerStreamRequest(
    SUBSCRIBE.path,
    SUBSCRIBE.requestSerialize,
    SUBSCRIBE.responseDeserialize,
    request,
  );
  call.on('error', () => {});
  return call;
}

/** The first `n` messages of a Subscribe stream, then cancels it. */
function firstMessages(client: Client, topic: string, afterSeq: bigint | undefined, n: number) {
  const call = subscribeCall(client, { topic, afterSeq });
  return new Promise<TopicMessage[]>((resolve, reject) => {
    const got: TopicMessage[] = [];
    call.on('data', (m: TopicMessage) => {
      got.push(m);
      if (got.length === n) {
        call.cancel();
        resolve(got);
      }
    });
    call.once('status', (s) => reject(new Error(`expected ${n} messages, the stream ended: ${s.details}`)));
  });
}

/** A unary call with raw request bytes, so undecodable input can be sent. */
function rawUnary(client: Client, path: string, bytes: Uint8Array): Promise<ServiceError | undefined> {
  return new Promise((resolve) =>
    client.makeUnaryRequest(
      path,
      (b: Uint8Array) => Buffer.from(b),
      (b: Buffer) => b,
      bytes,
      (error) => resolve(error ?? undefined),
    ),
  );
}

test('a resume beyond the history: subscribed, then the gap, then the retained events', async (t) => {
  const core = new ShortHistoryCore(options);
  const { client } = await serve(t, core);
  for (let i = 1; i <= 40; i++) core.topics.publish('g', post(i));
  // History keeps 25..40; after 3, the events 4..24 are gone.
  const messages = await firstMessages(client, 'g', 3n, 3);
  t.deepEqual(
    messages.map((m) => m.kind.case),
    ['subscribed', 'gap', 'event'],
  );
  t.like(messages[0]?.kind, { value: { lastSeq: 3n } });
  t.like(messages[1]?.kind, { value: { from: 4n, to: 24n } });
  t.like(messages[2]?.kind, { value: { seq: 25n } });
});

test('a live subscription starts after the current last seq, with no gap', async (t) => {
  const core = new FeedCore(options);
  const { client } = await serve(t, core);
  for (let i = 1; i <= 5; i++) core.topics.publish('live', post(i));
  const pending = firstMessages(client, 'live', undefined, 2);
  await waitFor(() => core.topics.subscriberCount('live') === 1, 'the subscription to start');
  core.topics.publish('live', post(6));
  const [first, second] = await pending;
  t.like(first?.kind, { case: 'subscribed', value: { lastSeq: 5n } });
  t.like(second?.kind, { case: 'event', value: { seq: 6n } });
});

test('a cancelled subscription frees the server stream and the hub subscription', async (t) => {
  const core = new FeedCore(options);
  const { server, client } = await serve(t, core);
  const call = subscribeCall(client, { topic: 'c' });
  await new Promise((resolve) => call.once('data', resolve));
  t.is(server.connections(), 1);
  t.is(core.topics.subscriberCount('c'), 1);
  call.cancel();
  await waitFor(
    () => server.connections() === 0 && core.topics.subscriberCount('c') === 0,
    'connections() and the hub back to 0',
  );
  t.pass();
});

test('refusals carry their status and the server keeps serving', async (t) => {
  const core = new FeedCore(options);
  const { client } = await serve(t, core);
  const undecodable = await rawUnary(
    client,
    grpcPath(TopicService.method.publish),
    new Uint8Array([0xff, 0xff]),
  );
  t.is(undecodable?.code, status.INVALID_ARGUMENT);
  t.regex(undecodable?.details ?? '', /expected a binary wirebench\.v1\.PublishRequest/);
  const noPayload = toBinary(PublishRequestSchema, create(PublishRequestSchema, { topic: 't' }));
  const refused = await rawUnary(client, grpcPath(TopicService.method.publish), noPayload);
  t.is(refused?.code, status.INVALID_ARGUMENT);
  t.is(refused?.details, 'payload: expected a post or a comment, got none');
  const longTopic = toBinary(
    SubscribeRequestSchema,
    create(SubscribeRequestSchema, { topic: 'x'.repeat(201) }),
  );
  const call = client.makeServerStreamRequest(
    SUBSCRIBE.path,
    (b: Uint8Array) => Buffer.from(b),
    (b: Buffer) => b,
    longTopic,
  );
  call.on('data', () => {});
  call.on('error', () => {});
  const ended = await new Promise<{ code: number; details: string }>((resolve) =>
    call.once('status', resolve),
  );
  t.is(ended.code, status.INVALID_ARGUMENT);
  t.is(ended.details, 'topic: expected 1..200 characters, got 201');
  const published = await new Promise((resolve, reject) =>
    client.makeUnaryRequest(
      PUBLISH.path,
      PUBLISH.requestSerialize,
      PUBLISH.responseDeserialize,
      { topic: 't', payload: { case: 'post', value: create(PostSchema, { id: 'p1' }) } },
      (error, value) => (error ? reject(error) : resolve(value)),
    ),
  );
  t.like(published, { seq: 1n, topic: 't' });
});

test('a client that stops reading is cut with UNAVAILABLE after slowConsumerMs; resources freed', async (t) => {
  const core = new FeedCore(options);
  const { server, client } = await serve(t, core, { slowConsumerMs: 200 });
  const call = subscribeCall(client, { topic: 'slow' });
  await new Promise((resolve) => call.once('data', resolve));
  call.pause();
  const ended = new Promise<{ code: number; details: string }>((resolve) => call.once('status', resolve));
  // ~4 MB of events: far beyond the HTTP/2 flow-control windows, so the server's writes stall.
  for (let i = 1; i <= 400; i++) core.topics.publish('slow', post(i, 10_000));
  await waitFor(() => server.connections() === 0, 'the stalled stream to be cut', 10_000);
  t.is(core.topics.subscriberCount('slow'), 0);
  call.resume();
  const { code, details } = await ended;
  t.is(code, status.UNAVAILABLE);
  t.regex(details, /subscriber: expected to read within 200 ms, got no progress/);
});

test('a client that vanishes (no FIN, no PING ack) is freed after the keepalive', async (t) => {
  const core = new FeedCore(options);
  // A relay that can go silent: it then forwards nothing and closes nothing, as a lost network would.
  const held: net.Socket[] = [];
  let silent = false;
  const relay = net.createServer((downstream) => {
    const upstream = net.connect(Number(relayTarget.split(':')[1]), '127.0.0.1');
    held.push(downstream, upstream);
    downstream.on('data', (chunk) => silent || upstream.write(chunk));
    upstream.on('data', (chunk) => silent || downstream.write(chunk));
    for (const s of [downstream, upstream]) s.on('error', () => {});
  });
  let relayTarget = '';
  t.teardown(() => {
    for (const s of held) s.destroy();
    relay.close();
  });
  const via = async (serverHost: string): Promise<string> => {
    relayTarget = serverHost;
    await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
    return `127.0.0.1:${(relay.address() as net.AddressInfo).port}`;
  };
  const { server, client } = await serve(t, core, { heartbeatMs: 500 }, via);
  const call = subscribeCall(client, { topic: 'vanish' });
  await new Promise((resolve) => call.once('data', resolve));
  t.is(server.connections(), 1);
  silent = true;
  await waitFor(
    () => server.connections() === 0 && core.topics.subscriberCount('vanish') === 0,
    'the vanished subscriber freed by the keepalive',
  );
  t.pass();
});
