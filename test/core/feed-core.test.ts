import { create } from '@bufbuild/protobuf';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import test, { type ExecutionContext } from 'ava';
import {
  type ChatMessage,
  ChatMessageSchema,
  CreatePostRequestSchema,
  type FeedEvent,
  GetAuthorDigestsRequestSchema,
  GetPostRequestSchema,
  GetUserRequestSchema,
  ListCommentsRequestSchema,
  ListPostsRequestSchema,
  StreamFeedRequestSchema,
  Visibility,
} from '../../schemas/gen/wirebench/v1/feed_pb.js';
import {
  CoreError,
  type CoreErrorCode,
  DATASET_PRESETS,
  FeedCore,
  LIMITS,
} from '../../services/core/index.js';

const NOW_MS = 1_767_225_600_123;
const NOW = timestampFromMs(NOW_MS);

/** A fresh core per test where it writes; reads share one. Small preset: 50 users, 500 posts. */
const newCore = () => new FeedCore({ seed: 1, preset: DATASET_PRESETS.small, nowMs: () => NOW_MS });
const core = newCore();

async function rejects(
  t: ExecutionContext,
  promise: Promise<unknown>,
  code: CoreErrorCode,
  message: RegExp,
): Promise<void> {
  const error = await t.throwsAsync(promise, { instanceOf: CoreError, message });
  t.is(error?.code, code, `expected code ${code}, got ${error?.code}`);
}

async function* items<T>(list: readonly T[]): AsyncGenerator<T> {
  yield* list;
}

async function collect<T>(stream: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of stream) out.push(item);
  return out;
}

/** Fields a test overrides on a valid CreatePostRequest. */
interface PostFields {
  authorId?: string;
  title?: string;
  body?: string;
  tags?: string[];
  visibility?: Visibility;
}

const newPost = (fields: PostFields = {}) =>
  create(CreatePostRequestSchema, {
    authorId: 'u000003',
    title: 'Hello',
    body: 'World',
    tags: ['quic'],
    ...fields,
  });

test('getUser returns the dataset user; unknown and empty ids are refused', async (t) => {
  const user = await core.getUser(create(GetUserRequestSchema, { id: 'u000007' }));
  t.is(user, core.dataset.users[7]!);
  await rejects(
    t,
    core.getUser(create(GetUserRequestSchema, { id: 'u999999' })),
    'NOT_FOUND',
    /^user u999999: expected an existing user id, got none$/,
  );
  await rejects(
    t,
    core.getUser(create(GetUserRequestSchema)),
    'INVALID_ARGUMENT',
    /^id: expected a user id, got ""$/,
  );
});

test('getPost returns the dataset post; unknown and empty ids are refused', async (t) => {
  const post = await core.getPost(create(GetPostRequestSchema, { id: 'p000042' }));
  t.is(post, core.dataset.posts[42]!);
  await rejects(
    t,
    core.getPost(create(GetPostRequestSchema, { id: 'nope' })),
    'NOT_FOUND',
    /expected an existing post id, got none/,
  );
  await rejects(
    t,
    core.getPost(create(GetPostRequestSchema)),
    'INVALID_ARGUMENT',
    /^id: expected a post id, got ""$/,
  );
});

test('listPosts: default page size, limits checked', async (t) => {
  const page = await core.listPosts(create(ListPostsRequestSchema));
  t.is(page.posts.length, LIMITS.defaultPageSize);
  t.not(page.nextPageToken, '');
  for (const limit of [-1, LIMITS.maxPageSize + 1, 1.5]) {
    await rejects(
      t,
      core.listPosts(create(ListPostsRequestSchema, { limit })),
      'INVALID_ARGUMENT',
      new RegExp(`^limit: expected 0\\.\\.${LIMITS.maxPageSize}, got ${limit}$`),
    );
  }
});

test('listPosts: page tokens chain through every post once, in id order', async (t) => {
  const seen: string[] = [];
  let pageToken = '';
  let pages = 0;
  do {
    const page = await core.listPosts(create(ListPostsRequestSchema, { limit: 37, pageToken }));
    seen.push(...page.posts.map((p) => p.id));
    pageToken = page.nextPageToken;
    pages++;
  } while (pageToken !== '' && pages < 100);
  t.is(pages, Math.ceil(core.dataset.posts.length / 37));
  t.is(new Set(seen).size, seen.length, 'expected no duplicate post across pages');
  t.deepEqual(
    seen,
    core.dataset.posts.map((p) => p.id),
  );
});

test('listPosts: a forged page token is INVALID_ARGUMENT', async (t) => {
  for (const pageToken of [
    'garbage',
    Buffer.from('o:-5').toString('base64url'),
    Buffer.from('offset=3').toString('base64url'),
  ]) {
    await rejects(
      t,
      core.listPosts(create(ListPostsRequestSchema, { pageToken })),
      'INVALID_ARGUMENT',
      /^pageToken: expected a token from a previous page, got "/,
    );
  }
});

test('listPosts: authorId filters to that author', async (t) => {
  const page = await core.listPosts(create(ListPostsRequestSchema, { authorId: 'u000004', limit: 100 }));
  t.is(page.posts.length, DATASET_PRESETS.small.postsPerUser);
  t.true(page.posts.every((p) => p.authorId === 'u000004'));
  t.is(page.nextPageToken, '');
});

test('listComments returns a post’s comments up to the limit; errors for unknown or empty ids', async (t) => {
  const post = core.dataset.posts.find((p) => p.commentCount >= 3);
  if (!post) return t.fail('expected a post with ≥ 3 comments, got none');
  const all = await core.listComments(create(ListCommentsRequestSchema, { postId: post.id, limit: 100 }));
  t.is(all.comments.length, post.commentCount);
  t.true(all.comments.every((c) => c.postId === post.id));
  const two = await core.listComments(create(ListCommentsRequestSchema, { postId: post.id, limit: 2 }));
  t.deepEqual(two.comments, all.comments.slice(0, 2));
  await rejects(
    t,
    core.listComments(create(ListCommentsRequestSchema, { postId: 'p999999' })),
    'NOT_FOUND',
    /p999999/,
  );
  await rejects(
    t,
    core.listComments(create(ListCommentsRequestSchema)),
    'INVALID_ARGUMENT',
    /^postId: expected a post id, got ""$/,
  );
});

test('createPost assigns the next id, stamps the clock and is visible via getPost and listPosts', async (t) => {
  const c = newCore();
  const post = await c.createPost(newPost());
  t.is(post.id, 'p000500');
  t.is(post.visibility, Visibility.PUBLIC, 'expected UNSPECIFIED visibility to be stored as PUBLIC');
  t.deepEqual(post.createdAt, NOW);
  t.is(await c.getPost(create(GetPostRequestSchema, { id: post.id })), post);
  const second = await c.createPost(newPost({ visibility: Visibility.PRIVATE }));
  t.is(second.id, 'p000501');
  t.is(second.visibility, Visibility.PRIVATE);
  const byAuthor = await c.listPosts(create(ListPostsRequestSchema, { authorId: 'u000003', limit: 100 }));
  t.deepEqual(
    byAuthor.posts.slice(-2).map((p) => p.id),
    ['p000500', 'p000501'],
  );
});

test('createPost validates its input', async (t) => {
  const c = newCore();
  await rejects(
    t,
    c.createPost(newPost({ authorId: 'u999999' })),
    'NOT_FOUND',
    /^authorId u999999: expected an existing user id, got none$/,
  );
  await rejects(
    t,
    c.createPost(newPost({ authorId: '' })),
    'INVALID_ARGUMENT',
    /^authorId: expected a user id, got ""$/,
  );
  await rejects(
    t,
    c.createPost(newPost({ title: '  ' })),
    'INVALID_ARGUMENT',
    /^title: expected 1\.\.300 characters, got " {2}"$/,
  );
  await rejects(
    t,
    c.createPost(newPost({ body: 'x'.repeat(LIMITS.maxBodyLength + 1) })),
    'INVALID_ARGUMENT',
    /^body: expected at most 20000 characters, got 20001$/,
  );
  await rejects(
    t,
    c.createPost(newPost({ tags: Array.from({ length: 21 }, (_, i) => `t${i}`) })),
    'INVALID_ARGUMENT',
    /^tags: expected at most 20, got 21$/,
  );
  t.is(c.dataset.posts.length, 500);
  await rejects(t, c.getPost(create(GetPostRequestSchema, { id: 'p000500' })), 'NOT_FOUND', /p000500/);
});

test('getAuthorDigests: the nested read in exactly 3 batched backend calls', async (t) => {
  const c = newCore();
  const userIds = ['u000001', 'u000002', 'u000003', 'u000004', 'u000005'];
  c.backend.resetStats();
  const res = await c.getAuthorDigests(
    create(GetAuthorDigestsRequestSchema, { userIds, postsPerUser: 4, commentsPerPost: 2 }),
  );
  const stats = c.backend.stats();
  t.is(stats.total, 3, `expected 3 backend calls, got ${stats.total} (${JSON.stringify(stats.byCall)})`);
  t.deepEqual(stats.byCall, { usersBatch: 1, postsByAuthorsBatch: 1, commentsByPostsBatch: 1 });
  t.deepEqual(
    res.digests.map((d) => d.user?.id),
    userIds,
  );
  for (const digest of res.digests) {
    t.is(digest.posts.length, 4);
    for (const { post, comments } of digest.posts) {
      t.is(post?.authorId, digest.user?.id);
      t.true(comments.length <= 2 && comments.every((c) => c.postId === post?.id));
    }
  }
});

test('getAuthorDigests validates its input', async (t) => {
  const req = (fields: { userIds?: string[]; postsPerUser?: number; commentsPerPost?: number }) =>
    core.getAuthorDigests(
      create(GetAuthorDigestsRequestSchema, {
        userIds: ['u000001'],
        postsPerUser: 1,
        commentsPerPost: 1,
        ...fields,
      }),
    );
  await rejects(t, req({ userIds: [] }), 'INVALID_ARGUMENT', /^userIds: expected 1\.\.100 ids, got 0$/);
  await rejects(
    t,
    req({ userIds: Array.from({ length: 101 }, () => 'u000001') }),
    'INVALID_ARGUMENT',
    /got 101$/,
  );
  await rejects(t, req({ postsPerUser: 51 }), 'INVALID_ARGUMENT', /^postsPerUser: expected 0\.\.50, got 51$/);
  await rejects(
    t,
    req({ commentsPerPost: -1 }),
    'INVALID_ARGUMENT',
    /^commentsPerPost: expected 0\.\.100, got -1$/,
  );
  await rejects(
    t,
    req({ userIds: ['u000001', 'u777777', 'u888888'] }),
    'NOT_FOUND',
    /^userIds: expected existing user ids, got unknown u777777,u888888$/,
  );
});

test('streamFeed yields count events with seq 1..count', async (t) => {
  const events: FeedEvent[] = await collect(
    core.streamFeed(create(StreamFeedRequestSchema, { topic: 'news', count: 7 })),
  );
  t.deepEqual(
    events.map((e) => e.seq),
    [1n, 2n, 3n, 4n, 5n, 6n, 7n],
  );
  for (const [i, event] of events.entries()) {
    t.is(event.topic, 'news');
    t.deepEqual(event.sentAt, NOW);
    t.is(event.payload.case, 'post');
    t.is(event.payload.value, core.dataset.posts[i]);
  }
});

test('streamFeed validates its input', async (t) => {
  const first = (fields: { topic?: string; count?: number; ratePerSecond?: number }) =>
    core.streamFeed(create(StreamFeedRequestSchema, { topic: 'news', count: 1, ...fields })).next();
  await rejects(t, first({ topic: '' }), 'INVALID_ARGUMENT', /^topic: expected a topic name, got ""$/);
  await rejects(t, first({ count: 0 }), 'INVALID_ARGUMENT', /^count: expected 1\.\.1000000, got 0$/);
  await rejects(
    t,
    first({ ratePerSecond: -1 }),
    'INVALID_ARGUMENT',
    /^ratePerSecond: expected 0\.\.1000000, got -1$/,
  );
});

test('streamFeed stops with CANCELLED when the signal aborts, between and during paced sends', async (t) => {
  // Between events: the loop checks the signal before each one.
  const between = new AbortController();
  const fast = core.streamFeed(create(StreamFeedRequestSchema, { topic: 'x', count: 100 }), {
    signal: between.signal,
  });
  t.is((await fast.next()).value?.seq, 1n);
  between.abort();
  await rejects(t, fast.next(), 'CANCELLED', /cancelled by the caller/);

  // During the pacing wait: 1 event/s, aborted 20 ms into the wait for the second.
  const during = new AbortController();
  const slow = core.streamFeed(create(StreamFeedRequestSchema, { topic: 'x', count: 5, ratePerSecond: 1 }), {
    signal: during.signal,
  });
  t.is((await slow.next()).value?.seq, 1n);
  const started = performance.now();
  setTimeout(() => during.abort(), 20);
  await rejects(t, slow.next(), 'CANCELLED', /cancelled by the caller/);
  const waited = performance.now() - started;
  t.true(waited < 900, `expected the abort to cut the 1 s wait short, got ${waited.toFixed(0)} ms`);
});

test('importPosts stores every post and returns the count and ids in order', async (t) => {
  const c = newCore();
  const res = await c.importPosts(
    items([newPost({ title: 'a' }), newPost({ title: 'b' }), newPost({ title: 'c' })]),
  );
  t.is(res.imported, 3);
  t.deepEqual(res.ids, ['p000500', 'p000501', 'p000502']);
  const stored = await c.getPost(create(GetPostRequestSchema, { id: 'p000502' }));
  t.is(stored.title, 'c');
  t.is((await c.importPosts(items([]))).imported, 0);
});

test('importPosts fails on the first invalid post', async (t) => {
  const c = newCore();
  await rejects(
    t,
    c.importPosts(items([newPost(), newPost({ title: '' }), newPost()])),
    'INVALID_ARGUMENT',
    /^title: /,
  );
});

test('chat echoes every message with the server time', async (t) => {
  const sent: ChatMessage[] = [1n, 2n, 3n].map((seq) =>
    create(ChatMessageSchema, {
      room: 'lobby',
      senderId: 'u000001',
      seq,
      text: `hi ${seq}`,
      sentAt: timestampFromMs(0),
    }),
  );
  const echoed = await collect(core.chat(items(sent)));
  t.deepEqual(
    echoed.map((m) => [m.room, m.senderId, m.seq, m.text]),
    sent.map((m) => [m.room, m.senderId, m.seq, m.text]),
  );
  t.true(echoed.every((m) => m.sentAt?.seconds === NOW.seconds && m.sentAt.nanos === NOW.nanos));
  await rejects(
    t,
    collect(core.chat(items([create(ChatMessageSchema, { room: '' })]))),
    'INVALID_ARGUMENT',
    /^room: expected a room name, got ""$/,
  );
});
