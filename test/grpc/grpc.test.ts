import { create, type DescMessage, equals, type MessageShape } from '@bufbuild/protobuf';
import { Client, credentials, type ServiceError, status } from '@grpc/grpc-js';
import test from 'ava';
import { createClient } from '../../clients/grpc/index.js';
import type { ProtocolClient } from '../../clients/types.js';
import {
  ChatMessageSchema,
  CreatePostRequestSchema,
  FeedEventSchema,
  FeedService,
  GetAuthorDigestsResponseSchema,
  GetPostRequestSchema,
  ImportPostsResponseSchema,
  ListPostsResponseSchema,
  PostSchema,
  type StreamFeedRequest,
  UserSchema,
} from '../../schemas/gen/wirebench/v1/feed_pb.js';
import { type CallContext, DATASET_PRESETS, FeedCore } from '../../services/core/index.js';
import { encodeMessage, grpcPath, start } from '../../services/grpc/index.js';
import type { ServerHandle } from '../../services/types.js';

const M = FeedService.method;
/** A fixed clock: events and created posts carry `now`, so server and reference must agree on it. */
const options = { seed: 1, preset: DATASET_PRESETS.small, nowMs: () => 1_767_225_600_000 };

/** Records how each streamFeed generator ended, to see a client's cancel reach the core. */
class SpyCore extends FeedCore {
  readonly streamEnds: { aborted: boolean }[] = [];
  override async *streamFeed(req: StreamFeedRequest, ctx: CallContext = {}) {
    try {
      yield* super.streamFeed(req, ctx);
    } finally {
      this.streamEnds.push({ aborted: ctx.signal?.aborted ?? false });
    }
  }
}

const core = new SpyCore(options);
const reference = new FeedCore(options);
const servers: ServerHandle[] = [];
const clients: ProtocolClient[] = [];
const rawClients: Client[] = [];

async function serve(maxBodyBytes?: number): Promise<ProtocolClient> {
  const server = await start(core, { host: '127.0.0.1', port: 0, transport: 'h2c', maxBodyBytes });
  servers.push(server);
  const client = createClient({ url: server.url, transport: 'h2c', encoding: 'proto' });
  clients.push(client);
  await client.connect();
  return client;
}

const main = serve();

test.after.always(async () => {
  for (const raw of rawClients) raw.close();
  await Promise.all(clients.map((c) => c.close()));
  await Promise.all(servers.map((s) => s.close()));
});

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

async function* from<T>(items: T[]): AsyncGenerator<T> {
  yield* items;
}

function sameList<S extends DescMessage>(schema: S, a: MessageShape<S>[], b: MessageShape<S>[]): boolean {
  return a.length === b.length && a.every((x, i) => equals(schema, x, b[i] as MessageShape<S>));
}

const userId = reference.dataset.users[3]!.id;
const postId = reference.dataset.posts[7]!.id;

test.serial('unary methods return what the core returns', async (t) => {
  const client = await main;
  t.true(
    equals(
      UserSchema,
      await client.unary(M.getUser, { id: userId }),
      await reference.getUser(create(M.getUser.input, { id: userId })),
    ),
  );
  t.true(
    equals(
      PostSchema,
      await client.unary(M.getPost, { id: postId }),
      await reference.getPost(create(M.getPost.input, { id: postId })),
    ),
  );
  const list = { limit: 25, authorId: userId };
  t.true(
    equals(
      ListPostsResponseSchema,
      await client.unary(M.listPosts, list),
      await reference.listPosts(create(M.listPosts.input, list)),
    ),
  );
  const digest = { userIds: [userId], postsPerUser: 3, commentsPerPost: 2 };
  t.true(
    equals(
      GetAuthorDigestsResponseSchema,
      await client.unary(M.getAuthorDigests, digest),
      await reference.getAuthorDigests(create(M.getAuthorDigests.input, digest)),
    ),
  );
});

test.serial('server streaming returns what the core yields', async (t) => {
  const client = await main;
  const req = { topic: 'news', count: 25, ratePerSecond: 0 };
  const got = await collect(client.serverStream!(M.streamFeed, req));
  const want = await collect(reference.streamFeed(create(M.streamFeed.input, req)));
  t.is(got.length, 25);
  t.true(sameList(FeedEventSchema, got, want));
});

test.serial('client streaming returns what the core returns', async (t) => {
  const client = await main;
  const posts = [1, 2, 3].map((n) =>
    create(CreatePostRequestSchema, { authorId: userId, title: `t${n}`, body: 'b' }),
  );
  const got = await client.clientStream!(M.importPosts, from(posts));
  const want = await reference.importPosts(from(posts));
  t.is(got.imported, 3);
  t.true(equals(ImportPostsResponseSchema, got, want));
});

test.serial('bidi streaming returns what the core yields', async (t) => {
  const client = await main;
  const msgs = [1n, 2n, 3n].map((seq) =>
    create(ChatMessageSchema, { room: 'r', senderId: userId, seq, text: 'hi' }),
  );
  const got = await collect(client.bidiStream!(M.chat, from(msgs)));
  const want = await collect(reference.chat(from(msgs)));
  t.true(sameList(ChatMessageSchema, got, want));
});

test('unknown ids are NOT_FOUND', async (t) => {
  const client = await main;
  const error = await t.throwsAsync(client.unary(M.getUser, { id: 'u999999' }));
  t.like(error, { code: 'NOT_FOUND', protocolStatus: status.NOT_FOUND });
});

test('bad arguments are INVALID_ARGUMENT on every method kind', async (t) => {
  const client = await main;
  const bad = { code: 'INVALID_ARGUMENT', protocolStatus: status.INVALID_ARGUMENT };
  t.like(await t.throwsAsync(client.unary(M.getPost, { id: '' })), bad);
  t.like(await t.throwsAsync(collect(client.serverStream!(M.streamFeed, { topic: 't', count: 0 }))), bad);
  t.like(
    await t.throwsAsync(client.clientStream!(M.importPosts, from([{ authorId: userId, title: '' }]))),
    bad,
  );
  t.like(await t.throwsAsync(collect(client.bidiStream!(M.chat, from([{ room: '' }])))), bad);
});

test('undecodable request bytes are INVALID_ARGUMENT, and the server still serves', async (t) => {
  await main;
  const raw = new Client(new URL(servers[0]!.url).host, credentials.createInsecure(), {
    'grpc.use_local_subchannel_pool': 1,
  });
  rawClients.push(raw);
  const path = grpcPath(M.getPost);
  const garbage = await new Promise<ServiceError | null>((resolve) => {
    raw.makeUnaryRequest(
      path,
      () => Buffer.from([0xff, 0xff, 0xff]),
      (b: Buffer) => b,
      null,
      (e) => resolve(e),
    );
  });
  t.is(garbage?.code, status.INVALID_ARGUMENT);
  const good = await new Promise<Buffer | undefined>((resolve, reject) => {
    const ser = () => encodeMessage(GetPostRequestSchema, create(GetPostRequestSchema, { id: postId }));
    raw.makeUnaryRequest(
      path,
      ser,
      (b: Buffer) => b,
      null,
      (e, v) => (e ? reject(e) : resolve(v)),
    );
  });
  t.true((good?.length ?? 0) > 0);
});

test('messages above maxBodyBytes are RESOURCE_EXHAUSTED, and the server still serves', async (t) => {
  const client = await serve(1024);
  const huge = { authorId: userId, title: 'big', body: 'x'.repeat(2000) };
  t.like(await t.throwsAsync(client.unary(M.createPost, huge)), { code: 'RESOURCE_EXHAUSTED' });
  t.is((await client.unary(M.getPost, { id: postId })).id, postId);
});

test('onFirstByte fires once per unary call with a bigint', async (t) => {
  const client = await main;
  const seen: bigint[] = [];
  const before = process.hrtime.bigint();
  for (let i = 0; i < 3; i++) {
    await client.unary(M.getPost, { id: postId }, { onFirstByte: (ns) => seen.push(ns) });
  }
  t.is(seen.length, 3);
  t.true(seen.every((ns) => typeof ns === 'bigint' && ns >= before));
});

test.serial('leaving a server stream early cancels it on the server, which still serves', async (t) => {
  const client = await main;
  const ends = core.streamEnds.length;
  let received = 0;
  for await (const event of client.serverStream!(M.streamFeed, { topic: 'c', count: 1000 })) {
    t.is(event.seq, BigInt(++received));
    if (received === 3) break;
  }
  const deadline = Date.now() + 5000;
  while (core.streamEnds.length === ends && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 10));
  t.deepEqual(core.streamEnds.slice(ends), [{ aborted: true }]);
  t.is((await client.unary(M.getPost, { id: postId })).id, postId);
});

test('a signal aborted mid-call cancels the call', async (t) => {
  const client = await main;
  const controller = new AbortController();
  const events = client.serverStream!(
    M.streamFeed,
    { topic: 's', count: 100, ratePerSecond: 10 },
    { signal: controller.signal },
  );
  setTimeout(() => controller.abort(), 50);
  t.like(await t.throwsAsync(collect(events)), { code: 'CANCELLED' });
});

test('transports other than h2/h2c/h3 and encodings other than proto are refused', async (t) => {
  const base = { host: '127.0.0.1', port: 0 };
  await t.throwsAsync(start(core, { ...base, transport: 'h1' }), {
    message: 'grpc: expected transport h2, h2c or h3, got h1',
  });
  await t.throwsAsync(start(core, { ...base, transport: 'h2' }), { message: /needs options\.tls/ });
  t.throws(() => createClient({ url: 'http://127.0.0.1:1', transport: 'h2c', encoding: 'json' }), {
    message: 'grpc: expected encoding proto, got json',
  });
});
