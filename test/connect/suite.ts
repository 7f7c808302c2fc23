import { setTimeout as sleep } from 'node:timers/promises';
import { create, equals } from '@bufbuild/protobuf';
import type { ExecutionContext } from 'ava';
import { ClientError } from '../../clients/errors.js';
import type { ProtocolClient } from '../../clients/types.js';
import type { TransportId } from '../../protocols/types.js';
import {
  ChatMessageSchema,
  CreatePostRequestSchema,
  FeedEventSchema,
  FeedService,
  GetAuthorDigestsResponseSchema,
  ImportPostsResponseSchema,
  ListCommentsResponseSchema,
  ListPostsResponseSchema,
  PostSchema,
  UserSchema,
} from '../../schemas/gen/wirebench/v1/feed_pb.js';
import type { FeedCore } from '../../services/core/index.js';
import { collect, from, sameList } from './fixtures.js';

const M = FeedService.method;

/**
 * The calls every protocol × encoding × transport must answer as the
 * reference core does. Each takes a connected client and a reference core
 * that has seen the same calls (creates included), so results compare with `equals`.
 */
export async function checkUnary(t: ExecutionContext, client: ProtocolClient, ref: FeedCore): Promise<void> {
  const userId = ref.dataset.users[3]!.id;
  const postId = ref.dataset.posts[7]!.id;
  let firstByte = 0n;
  const before = process.hrtime.bigint();
  const user = await client.unary(
    M.getUser,
    { id: userId },
    {
      onFirstByte: (ns) => {
        firstByte = ns;
      },
    },
  );
  const after = process.hrtime.bigint();
  t.true(firstByte > before && firstByte <= after, 'onFirstByte fires during the call');
  t.true(equals(UserSchema, user, await ref.getUser(create(M.getUser.input, { id: userId }))));

  const post = await client.unary(M.getPost, { id: postId });
  t.true(equals(PostSchema, post, await ref.getPost(create(M.getPost.input, { id: postId }))));
  const list = { limit: 25, authorId: userId };
  const page = await client.unary(M.listPosts, list);
  t.true(equals(ListPostsResponseSchema, page, await ref.listPosts(create(M.listPosts.input, list))));
  const query = { postId, limit: 5 };
  const comments = await client.unary(M.listComments, query);
  t.true(
    equals(ListCommentsResponseSchema, comments, await ref.listComments(create(M.listComments.input, query))),
  );
  const digest = { userIds: [userId], postsPerUser: 3, commentsPerPost: 2 };
  const digests = await client.unary(M.getAuthorDigests, digest);
  const want = await ref.getAuthorDigests(create(M.getAuthorDigests.input, digest));
  t.true(equals(GetAuthorDigestsResponseSchema, digests, want));
  const draft = { authorId: userId, title: 'hello', body: 'b', tags: ['x'] };
  const created = await client.unary(M.createPost, draft);
  t.true(equals(PostSchema, created, await ref.createPost(create(M.createPost.input, draft))));
}

/** Server streaming (50 events, in order) and client streaming (an import of 3 posts). */
export async function checkStreams(
  t: ExecutionContext,
  client: ProtocolClient,
  ref: FeedCore,
): Promise<void> {
  const feed = { topic: 'news', count: 50, ratePerSecond: 0 };
  const events = await collect(client.serverStream!(M.streamFeed, feed));
  t.deepEqual(
    events.map((e) => Number(e.seq)),
    Array.from({ length: 50 }, (_, i) => i + 1),
  );
  const want = await collect(ref.streamFeed(create(M.streamFeed.input, feed)));
  t.true(sameList(FeedEventSchema, events, want));

  const userId = ref.dataset.users[3]!.id;
  const posts = [1, 2, 3].map((n) =>
    create(CreatePostRequestSchema, { authorId: userId, title: `t${n}`, body: 'b' }),
  );
  const imported = await client.clientStream!(M.importPosts, from(posts));
  t.is(imported.imported, 3);
  t.true(equals(ImportPostsResponseSchema, imported, await ref.importPosts(from(posts))));
}

/** Bidi echoes on HTTP/2 and HTTP/3; on HTTP/1.1 it fails UNIMPLEMENTED, saying why. */
export async function checkBidi(
  t: ExecutionContext,
  client: ProtocolClient,
  ref: FeedCore,
  transport: TransportId,
): Promise<void> {
  const chat = [1n, 2n, 3n].map((seq) =>
    create(ChatMessageSchema, { room: 'r', senderId: 'u000001', seq, text: 'hi' }),
  );
  if (transport === 'h2' || transport === 'h2c' || transport === 'h3') {
    const echoed = await collect(client.bidiStream!(M.chat, from(chat)));
    t.true(sameList(ChatMessageSchema, echoed, await collect(ref.chat(from(chat)))));
    return;
  }
  const error = await t.throwsAsync(collect(client.bidiStream!(M.chat, from(chat))), {
    instanceOf: ClientError,
  });
  t.is(error?.code, 'UNIMPLEMENTED');
  t.regex(error?.message ?? '', /needs HTTP\/2/);
}

/** Domain errors keep their code (and Connect's number) on every method kind. */
export async function checkErrors(t: ExecutionContext, client: ProtocolClient): Promise<void> {
  t.like(await t.throwsAsync(client.unary(M.getUser, { id: 'u999999' })), {
    code: 'NOT_FOUND',
    protocolStatus: 5,
  });
  t.like(await t.throwsAsync(client.unary(M.getUser, { id: '' })), {
    code: 'INVALID_ARGUMENT',
    protocolStatus: 3,
  });
  const badFeed = collect(client.serverStream!(M.streamFeed, { topic: 'news', count: 0 }));
  t.like(await t.throwsAsync(badFeed), { code: 'INVALID_ARGUMENT' });
  const badImport = from([create(CreatePostRequestSchema, { authorId: 'u000001', title: '' })]);
  t.like(await t.throwsAsync(client.clientStream!(M.importPosts, badImport)), { code: 'INVALID_ARGUMENT' });
}

/**
 * `server.close()` with a paced stream running: the stream keeps flowing for
 * the 5 s grace period, then the cutoff ends it UNAVAILABLE ("server
 * shutting down") and close() settles. `client` is connected to `server`.
 */
export async function checkDrainCutoff(
  t: ExecutionContext,
  server: { close(): Promise<void> },
  client: ProtocolClient,
): Promise<void> {
  let received = 0;
  const paced = { topic: 'slow', count: 1000, ratePerSecond: 20 };
  const running = (async () => {
    for await (const _ of client.serverStream!(M.streamFeed, paced)) received++;
  })();
  await sleep(100);
  const started = Date.now();
  await server.close();
  const took = Date.now() - started;
  t.true(took >= 4900 && took < 8000, `close took ${took} ms: the 5 s grace, then the cutoff`);
  const error = await t.throwsAsync(running);
  t.like(error, { code: 'UNAVAILABLE', message: `${client.protocol}: Unavailable: server shutting down` });
  t.true(received > 50, 'the stream kept flowing during the grace period');
}
