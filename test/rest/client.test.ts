import { create, equals } from '@bufbuild/protobuf';
import test, { type ExecutionContext } from 'ava';
import { ClientError } from '../../clients/errors.js';
import type { RestClient } from '../../clients/rest/index.js';
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
  UserSchema,
} from '../../schemas/gen/wirebench/v1/feed_pb.js';
import { FeedCore } from '../../services/core/index.js';
import type { RestServerHandle } from '../../services/rest/index.js';
import { CORE_OPTIONS, Pairs, REST_TRANSPORTS, SpyCore, unavailable } from './fixtures.js';

/** The REST client against FeedCore, once per transport (h1, h1s, h2c, h2, h3), on port 0. */
const M = FeedService.method;
const pairs = new Pairs();
test.after.always(() => pairs.closeAll());

interface Setup {
  readonly core: SpyCore;
  readonly reference: FeedCore;
  readonly server: RestServerHandle;
  readonly client: RestClient;
}

for (const transport of REST_TRANSPORTS) {
  // Each transport gets its own core and reference: creations must happen in the same order on both.
  let setup: Promise<Setup> | undefined;
  const main = (): Promise<Setup> => {
    setup ??= (async () => {
      const core = new SpyCore(CORE_OPTIONS);
      return { core, reference: new FeedCore(CORE_OPTIONS), ...(await pairs.start(core, transport)) };
    })();
    return setup;
  };
  /** Runs `body` unless the transport cannot run here; then the test passes with the reason logged. */
  const run = (title: string, body: (t: ExecutionContext, s: Setup) => Promise<void>, serial = false) =>
    (serial ? test.serial : test)(`${transport} › ${title}`, async (t) => {
      const reason = await unavailable(transport);
      if (reason) {
        t.log(`skipped: ${transport} cannot run here: ${reason}`);
        t.pass();
        return;
      }
      await body(t, await main());
    });

  run(
    'createPost and importPosts create what the core creates',
    async (t, { client, reference }) => {
      const input = { authorId: 'u000001', title: 'Hello', body: 'REST', tags: ['x'] };
      const post = await client.unary(M.createPost, input);
      t.true(equals(PostSchema, post, await reference.createPost(create(CreatePostRequestSchema, input))));
      const inputs = Array.from({ length: 20 }, (_, i) => ({ authorId: 'u000002', title: `import ${i}` }));
      const summary = await client.clientStream!(M.importPosts, from(inputs));
      const expected = await reference.importPosts(
        from(inputs.map((i) => create(CreatePostRequestSchema, i))),
      );
      t.is(summary.imported, 20);
      t.true(equals(ImportPostsResponseSchema, summary, expected));
    },
    true,
  );

  run('unary reads return what the core returns', async (t, { client, reference }) => {
    const user = await client.unary(M.getUser, { id: 'u000003' });
    const expectedUser = await reference.getUser(create(GetUserRequestSchema, { id: 'u000003' }));
    t.true(equals(UserSchema, user, expectedUser));
    const post = await client.unary(M.getPost, { id: 'p000004' });
    const expectedPost = await reference.getPost(create(GetPostRequestSchema, { id: 'p000004' }));
    t.true(equals(PostSchema, post, expectedPost));
    const list = { limit: 4, authorId: 'u000001' };
    const page = await client.unary(M.listPosts, list);
    t.true(
      equals(ListPostsResponseSchema, page, await reference.listPosts(create(ListPostsRequestSchema, list))),
    );
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

  run('serverStream yields 50 events in seq order', async (t, { client }) => {
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

  run('stopping a stream early cancels the core generator', async (t, { client, core }) => {
    const topic = 'early-stop';
    let seen = 0;
    const endless = { topic, count: 1_000_000, ratePerSecond: 2000 };
    for await (const _ of client.serverStream!(M.streamFeed, endless)) if (++seen === 5) break;
    t.deepEqual(await streamEnds(core, topic), [{ topic, aborted: true }]);
  });

  run('aborting the signal mid-stream is CANCELLED and reaches the core', async (t, { client, core }) => {
    const topic = 'abort-mid-stream';
    const abort = new AbortController();
    const error = await t.throwsAsync(async () => {
      const endless = { topic, count: 1_000_000, ratePerSecond: 2000 };
      let seen = 0;
      for await (const _ of client.serverStream!(M.streamFeed, endless, { signal: abort.signal })) {
        if (++seen === 3) abort.abort();
      }
    });
    t.is((error as ClientError).code, 'CANCELLED');
    t.deepEqual(await streamEnds(core, topic), [{ topic, aborted: true }]);
    t.is((await client.unary(M.getPost, { id: 'p000001' })).id, 'p000001', 'the connection still serves');
  });

  run('errors map to ClientError codes', async (t, { client }) => {
    const missing = await t.throwsAsync(client.unary(M.getUser, { id: 'u999999' }), {
      instanceOf: ClientError,
    });
    t.is(missing?.code, 'NOT_FOUND');
    t.is(missing?.protocolStatus, 404);
    t.regex(missing?.message ?? '', /expected an existing user id/);
    const invalid = await t.throwsAsync(client.unary(M.listPosts, { limit: -1 }), {
      instanceOf: ClientError,
    });
    t.is(invalid?.code, 'INVALID_ARGUMENT');
    const stream = client.serverStream!(M.streamFeed, { topic: 't', count: 0 });
    const badStream = await t.throwsAsync(stream[Symbol.asyncIterator]().next(), { instanceOf: ClientError });
    t.is(badStream?.code, 'INVALID_ARGUMENT');
    const aborted = AbortSignal.abort();
    const cancelled = await t.throwsAsync(client.unary(M.getPost, { id: 'p000001' }, { signal: aborted }));
    t.is((cancelled as ClientError).code, 'CANCELLED');
  });

  run('onFirstByte gets a bigint before the call resolves', async (t, { client }) => {
    const sent = process.hrtime.bigint();
    let firstByte: bigint | undefined;
    const post = await client.unary(M.getPost, { id: 'p000001' }, { onFirstByte: (ns) => (firstByte = ns) });
    t.is(post.id, 'p000001');
    t.is(typeof firstByte, 'bigint');
    t.true(firstByte! >= sent);
  });

  run('a cold client (no connect) opens its connection on the first call', async (t) => {
    const { server, client } = await pairs.start(new FeedCore(CORE_OPTIONS), transport, { connect: false });
    t.is((await client.unary(M.getPost, { id: 'p000002' })).id, 'p000002');
    t.is(server.stats().connections, 1);
  });

  run('calls reuse exactly `connections` connections', async (t) => {
    const { server, client } = await pairs.start(new FeedCore(CORE_OPTIONS), transport, { connections: 3 });
    t.is(server.stats().connections, 3);
    const before = server.stats().requests;
    await Promise.all(
      Array.from({ length: 12 }, (_, i) => client.unary(M.getPost, { id: `p00000${i % 9}` })),
    );
    for (let i = 0; i < 5; i++) await client.unary(M.getUser, { id: 'u000001' });
    t.is(server.stats().connections, 3);
    t.is(server.stats().requests, before + 12 + 5);
  });

  run('client close() fails a pending call with CANCELLED', async (t) => {
    const { client } = await pairs.start(new FeedCore(CORE_OPTIONS), transport);
    const events = client.serverStream!(M.streamFeed, { topic: 'close', count: 100, ratePerSecond: 1 });
    const iterator = events[Symbol.asyncIterator]();
    t.false((await iterator.next()).done);
    const next = iterator.next();
    await client.close();
    t.is(((await t.throwsAsync(next)) as ClientError).code, 'CANCELLED');
  });

  run('server close() lets a running call finish first', async (t) => {
    const { server, client } = await pairs.start(new FeedCore(CORE_OPTIONS), transport);
    const events = client.serverStream!(M.streamFeed, { topic: 'drain', count: 10, ratePerSecond: 50 });
    const iterator = events[Symbol.asyncIterator]();
    t.false((await iterator.next()).done);
    const closing = server.close();
    let seen = 1;
    while (!(await iterator.next()).done) seen++;
    t.is(seen, 10);
    await closing;
  });

  run('wireCounters: UDP payload bytes on h3 only, growing with each call', async (t, { client }) => {
    if (transport !== 'h3') {
      t.is(client.wireCounters, undefined, 'TCP transports leave wire bytes to the kernel counters');
      return;
    }
    const before = client.wireCounters!()!;
    await client.unary(M.getPost, { id: 'p000003' });
    const after = client.wireCounters!()!;
    t.true(after.bytesSent > before.bytesSent);
    t.true(after.bytesReceived - before.bytesReceived > 500, 'the response carries a post');
  });
}

async function* from<T>(items: readonly T[]): AsyncGenerator<T> {
  yield* items;
}

/** How the core's streamFeed generators for `topic` ended, once one has (within 2 s). */
async function streamEnds(core: SpyCore, topic: string) {
  const ends = () => core.streamEnds.filter((end) => end.topic === topic);
  for (let i = 0; i < 200 && ends().length === 0; i++) await new Promise((r) => setTimeout(r, 10));
  return ends();
}
