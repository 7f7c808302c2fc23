import { setTimeout as sleep } from 'node:timers/promises';
import { create, equals, fromBinary, toBinary } from '@bufbuild/protobuf';
import { createClient } from '../../clients/grpc/index.js';
import type { ProtocolClient } from '../../clients/types.js';
import { connectHttp3, type Http3Connection, type WireCounters } from '../../lib/http3/index.js';
import {
  ChatMessageSchema,
  FeedEventSchema,
  FeedService,
  GetUserRequestSchema,
  PostSchema,
  UserSchema,
} from '../../schemas/gen/wirebench/v1/feed_pb.js';
import type { RpcServerHandle } from '../../services/connect-common/index.js';
import { FeedCore } from '../../services/core/index.js';
import { start } from '../../services/grpc/index.js';
import { CORE_OPTIONS, collect, envelope, from, sameList } from '../connect/fixtures.js';
import { h3Harness, lockstep, rawH3Post } from '../connect/h3-fixtures.js';
import { checkDrainCutoff } from '../connect/suite.js';

/**
 * gRPC over HTTP/3: served by connect-es (gRPC protocol only) on lib/http3,
 * called through connect-es' gRPC transport over lib/http3 — grpc-js has no
 * HTTP/3. The status travels in HTTP/3 trailers; the raw exchanges below
 * read them off the wire.
 */
const M = FeedService.method;
const P = `/${FeedService.typeName}/`;
const GRPC = { 'content-type': 'application/grpc+proto', te: 'trailers' };
const { tls, h3, track } = await h3Harness();
const reference = new FeedCore(CORE_OPTIONS);

type H3Client = ProtocolClient & { wireCounters?(): WireCounters };

async function serve(): Promise<{ server: RpcServerHandle; client: H3Client }> {
  const options = { host: '127.0.0.1', port: 0, transport: 'h3', tls } as const;
  const server = track((await start(new FeedCore(CORE_OPTIONS), options)) as RpcServerHandle);
  const url = server.url;
  const client: H3Client = track(createClient({ url, transport: 'h3', encoding: 'proto', caPem: tls.caPem }));
  await client.connect();
  return { server, client };
}

async function rawConnection(server: RpcServerHandle): Promise<Http3Connection> {
  return track(await connectHttp3(server.url, { caPem: tls.caPem }));
}

h3('all four method kinds answer as the core does', async (t) => {
  const { client } = await serve();
  const user = await client.unary(M.getUser, { id: 'u000004' });
  t.true(equals(UserSchema, user, await reference.getUser(create(M.getUser.input, { id: 'u000004' }))));
  const postId = reference.dataset.posts[7]!.id;
  t.true(
    equals(
      PostSchema,
      await client.unary(M.getPost, { id: postId }),
      await reference.getPost(create(M.getPost.input, { id: postId })),
    ),
  );
  const feed = { topic: 'news', count: 25, ratePerSecond: 0 };
  const events = await collect(client.serverStream!(M.streamFeed, feed));
  t.true(
    sameList(FeedEventSchema, events, await collect(reference.streamFeed(create(M.streamFeed.input, feed)))),
  );
  const posts = [1, 2].map((n) => ({ authorId: 'u000001', title: `t${n}`, body: 'b' }));
  t.is((await client.clientStream!(M.importPosts, from(posts))).imported, 2);
  const chat = [1n, 2n].map((seq) =>
    create(ChatMessageSchema, { room: 'r', senderId: 'u000001', seq, text: 'hi' }),
  );
  t.true(
    sameList(
      ChatMessageSchema,
      await collect(client.bidiStream!(M.chat, from(chat))),
      await collect(reference.chat(from(chat))),
    ),
  );
});

h3('bidi over h3 is full duplex (each message waits for the previous echo)', async (t) => {
  const { client } = await serve();
  const chat = [1n, 2n, 3n, 4n].map((seq) =>
    create(ChatMessageSchema, { room: 'r', senderId: 'u000001', seq, text: `m${seq}` }),
  );
  const waiters: (() => void)[] = [];
  const ready = (i: number): Promise<void> =>
    i === 0 ? Promise.resolve() : new Promise((resolve) => waiters.push(resolve));
  const echoed: bigint[] = [];
  for await (const message of client.bidiStream!(M.chat, lockstep(chat, ready))) {
    echoed.push(message.seq);
    waiters.shift()?.();
  }
  t.deepEqual(echoed, [1n, 2n, 3n, 4n]);
});

h3('an unknown post id is NOT_FOUND, carried in the HTTP/3 trailers', async (t) => {
  const { server, client } = await serve();
  t.like(await t.throwsAsync(client.unary(M.getPost, { id: 'p999999' })), {
    code: 'NOT_FOUND',
    protocolStatus: 5,
  });
  const raw = await rawConnection(server);
  const request = toBinary(M.getPost.input, create(M.getPost.input, { id: 'p999999' }));
  const res = await rawH3Post(raw, `${P}GetPost`, GRPC, envelope(0, request.length, request));
  t.is(res.status, 200, 'gRPC errors are HTTP 200 with the status in trailers');
  t.is(res.body.length, 0, 'no message');
  t.is(res.trailers?.['grpc-status'], '5');
  t.regex(String(res.trailers?.['grpc-message']), /p999999/);
});

h3('bad arguments are INVALID_ARGUMENT on every method kind', async (t) => {
  const { client } = await serve();
  const bad = { code: 'INVALID_ARGUMENT', protocolStatus: 3 };
  t.like(await t.throwsAsync(client.unary(M.getPost, { id: '' })), bad);
  t.like(await t.throwsAsync(collect(client.serverStream!(M.streamFeed, { topic: 't', count: 0 }))), bad);
  t.like(
    await t.throwsAsync(client.clientStream!(M.importPosts, from([{ authorId: 'u000001', title: '' }]))),
    bad,
  );
  t.like(await t.throwsAsync(collect(client.bidiStream!(M.chat, from([{ room: '' }])))), bad);
});

h3('a truncated envelope is INVALID_ARGUMENT, and the same QUIC connection serves on', async (t) => {
  const { server } = await serve();
  const raw = await rawConnection(server);
  const broken = await rawH3Post(raw, `${P}GetUser`, GRPC, envelope(0, 10, Buffer.from([1, 2])));
  t.is(broken.trailers?.['grpc-status'], '3');
  t.is(broken.trailers?.['grpc-message'], 'protocol%20error%3A%20incomplete%20envelope');
  const request = toBinary(GetUserRequestSchema, create(GetUserRequestSchema, { id: 'u000001' }));
  const ok = await rawH3Post(raw, `${P}GetUser`, GRPC, envelope(0, request.length, request));
  t.is(ok.trailers?.['grpc-status'], '0');
  t.is(fromBinary(UserSchema, ok.body.subarray(5)).id, 'u000001');
  t.false(raw.closed);
  t.is(server.stats().connections, 2, "the client's and the raw one, nothing reopened");
});

h3('the h3 gRPC server speaks gRPC only: a Connect request is 415', async (t) => {
  const { server } = await serve();
  const raw = await rawConnection(server);
  const res = await rawH3Post(raw, `${P}GetUser`, { 'content-type': 'application/json' }, Buffer.from('{}'));
  t.is(res.status, 415);
});

h3('many calls share one QUIC connection; wire counters grow', async (t) => {
  const { server, client } = await serve();
  const before = client.wireCounters!();
  await Promise.all(Array.from({ length: 100 }, () => client.unary(M.getUser, { id: 'u000002' })));
  for (let i = 0; i < 20; i++) await client.unary(M.getUser, { id: 'u000003' });
  const after = client.wireCounters!();
  t.is(server.stats().connections, 1);
  t.is(server.stats().requests, 121, 'the preconnect plus 120 calls');
  t.true(after.bytesSent > before.bytesSent && after.bytesReceived > before.bytesReceived);
});

h3('client close() while a stream is open settles; the call ends CANCELLED', async (t) => {
  const { client } = await serve();
  const running = collect(
    client.serverStream!(M.streamFeed, { topic: 'slow', count: 1000, ratePerSecond: 100 }),
  );
  await sleep(50);
  await client.close();
  t.like(await t.throwsAsync(running), { code: 'CANCELLED' });
});

h3('server close() drains, then ends a running stream UNAVAILABLE through the trailers', async (t) => {
  const { server, client } = await serve();
  await checkDrainCutoff(t, server, client);
});
