import { create, equals } from '@bufbuild/protobuf';
import test from 'ava';
import { ClientError } from '../../clients/errors.js';
import { createClient } from '../../clients/rest/index.js';
import type { ProtocolClient } from '../../clients/types.js';
import {
  CreatePostRequestSchema,
  FeedService,
  GetAuthorDigestsRequestSchema,
  GetAuthorDigestsResponseSchema,
  GetPostRequestSchema,
  GetUserRequestSchema,
  ImportPostsResponseSchema,
  ListCommentsRequestSchema,
  ListCommentsResponseSchema,
  ListPostsRequestSchema,
  ListPostsResponseSchema,
  PostSchema,
  type StreamFeedRequest,
  UserSchema,
} from '../../schemas/gen/wirebench/v1/feed_pb.js';
import { type CallContext, DATASET_PRESETS, FeedCore } from '../../services/core/index.js';
import { type RestServerHandle, startRest } from '../../services/rest/index.js';

const M = FeedService.method;
/** A fixed clock: created posts carry `now`, so server and reference must agree on it. */
const options = { seed: 1, preset: DATASET_PRESETS.small, nowMs: () => 1_767_225_600_000 };

/** Records how each streamFeed generator ended, to see a client's early stop reach the core. */
class SpyCore extends FeedCore {
  readonly streamEnds: { topic: string; aborted: boolean }[] = [];
  override async *streamFeed(req: StreamFeedRequest, ctx: CallContext = {}) {
    try {
      yield* super.streamFeed(req, ctx);
    } finally {
      this.streamEnds.push({ topic: req.topic, aborted: ctx.signal?.aborted ?? false });
    }
  }
}

const core = new SpyCore(options);
const reference = new FeedCore(options);
const servers: RestServerHandle[] = [];
const clients: ProtocolClient[] = [];

async function serve(connections: number): Promise<{ server: RestServerHandle; client: ProtocolClient }> {
  const server = await startRest(core, { host: '127.0.0.1', port: 0, transport: 'h1' });
  servers.push(server);
  const client = createClient({ url: server.url, transport: 'h1', encoding: 'json', connections });
  clients.push(client);
  await client.connect();
  return { server, client };
}

const main = serve(1);

test.after.always(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await Promise.all(servers.map((s) => s.close()));
});

// Creation mutates both cores in the same order, so these run first and one at a time.
test.serial('createPost and importPosts create what the core creates', async (t) => {
  const { client } = await main;
  const input = { authorId: 'u000001', title: 'Hello', body: 'REST', tags: ['x'] };
  const post = await client.unary(M.createPost, input);
  t.true(equals(PostSchema, post, await reference.createPost(create(CreatePostRequestSchema, input))));
  const inputs = Array.from({ length: 20 }, (_, i) => ({ authorId: 'u000002', title: `import ${i}` }));
  const summary = await client.clientStream!(
    M.importPosts,
    (async function* () {
      yield* inputs;
    })(),
  );
  const expected = await reference.importPosts(
    (async function* () {
      for (const i of inputs) yield create(CreatePostRequestSchema, i);
    })(),
  );
  t.is(summary.imported, 20);
  t.true(equals(ImportPostsResponseSchema, summary, expected));
});

test('unary reads return what the core returns', async (t) => {
  const { client } = await main;
  const user = await client.unary(M.getUser, { id: 'u000003' });
  t.true(equals(UserSchema, user, await reference.getUser(create(GetUserRequestSchema, { id: 'u000003' }))));
  const post = await client.unary(M.getPost, { id: 'p000004' });
  t.true(equals(PostSchema, post, await reference.getPost(create(GetPostRequestSchema, { id: 'p000004' }))));
  const list = { limit: 4, authorId: 'u000001' };
  const page = await client.unary(M.listPosts, list);
  const expectedPage = await reference.listPosts(create(ListPostsRequestSchema, list));
  t.true(equals(ListPostsResponseSchema, page, expectedPage));
  const comments = await client.unary(M.listComments, { postId: 'p000002', limit: 3 });
  const expectedComments = await reference.listComments(
    create(ListCommentsRequestSchema, { postId: 'p000002', limit: 3 }),
  );
  t.true(equals(ListCommentsResponseSchema, comments, expectedComments));
  const digest = { userIds: ['u000001', 'u000005'], postsPerUser: 2, commentsPerPost: 2 };
  const digests = await client.unary(M.getAuthorDigests, digest);
  const expectedDigests = await reference.getAuthorDigests(create(GetAuthorDigestsRequestSchema, digest));
  t.true(equals(GetAuthorDigestsResponseSchema, digests, expectedDigests));
});

test('serverStream yields 50 events in seq order', async (t) => {
  const { client } = await main;
  const seqs: bigint[] = [];
  for await (const event of client.serverStream!(M.streamFeed, { topic: 'news', count: 50 })) {
    t.is(event.topic, 'news');
    seqs.push(event.seq);
  }
  t.deepEqual(
    seqs,
    Array.from({ length: 50 }, (_, i) => BigInt(i + 1)),
  );
});

test('stopping a stream early cancels the core generator', async (t) => {
  const { client } = await main;
  const topic = 'early-stop';
  const ends = () => core.streamEnds.filter((end) => end.topic === topic);
  let seen = 0;
  for await (const _ of client.serverStream!(M.streamFeed, {
    topic,
    count: 1_000_000,
    ratePerSecond: 2000,
  })) {
    if (++seen === 5) break;
  }
  for (let i = 0; i < 200 && ends().length === 0; i++) await new Promise((r) => setTimeout(r, 10));
  t.deepEqual(ends(), [{ topic, aborted: true }]);
});

test('errors map to ClientError codes', async (t) => {
  const { client } = await main;
  const missing = await t.throwsAsync(client.unary(M.getUser, { id: 'u999999' }), {
    instanceOf: ClientError,
  });
  t.is(missing?.code, 'NOT_FOUND');
  t.is(missing?.protocolStatus, 404);
  t.regex(missing?.message ?? '', /expected an existing user id/);
  const invalid = await t.throwsAsync(client.unary(M.listPosts, { limit: -1 }), { instanceOf: ClientError });
  t.is(invalid?.code, 'INVALID_ARGUMENT');
  const stream = client.serverStream!(M.streamFeed, { topic: 't', count: 0 });
  const badStream = await t.throwsAsync(stream[Symbol.asyncIterator]().next(), { instanceOf: ClientError });
  t.is(badStream?.code, 'INVALID_ARGUMENT');
  const aborted = AbortSignal.abort();
  const cancelled = await t.throwsAsync(client.unary(M.getPost, { id: 'p000001' }, { signal: aborted }));
  t.is((cancelled as ClientError).code, 'CANCELLED');
});

test('onFirstByte gets a bigint before the call resolves', async (t) => {
  const { client } = await main;
  const sent = process.hrtime.bigint();
  let firstByte: bigint | undefined;
  const post = await client.unary(M.getPost, { id: 'p000001' }, { onFirstByte: (ns) => (firstByte = ns) });
  t.is(post.id, 'p000001');
  t.is(typeof firstByte, 'bigint');
  t.true(firstByte! >= sent);
});

test('calls reuse exactly `connections` keep-alive connections', async (t) => {
  const { server, client } = await serve(3);
  t.is(server.stats().connections, 3);
  await Promise.all(Array.from({ length: 12 }, (_, i) => client.unary(M.getPost, { id: `p00000${i % 9}` })));
  for (let i = 0; i < 5; i++) await client.unary(M.getUser, { id: 'u000001' });
  t.is(server.stats().connections, 3);
  t.is(server.stats().requests, 3 + 12 + 5);
});
