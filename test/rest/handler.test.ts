import {
  create,
  type DescMessage,
  equals,
  fromJson,
  type JsonValue,
  type MessageShape,
} from '@bufbuild/protobuf';
import test from 'ava';
import {
  CreatePostRequestSchema,
  FeedEventSchema,
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
  StreamFeedRequestSchema,
  UserSchema,
} from '../../schemas/gen/wirebench/v1/feed_pb.js';
import { type CallContext, DATASET_PRESETS, FeedCore } from '../../services/core/index.js';
import { createRestHandler } from '../../services/rest/index.js';

/** A fixed clock: created posts and events carry `now`, so handler and reference must agree on it. */
const options = { seed: 1, preset: DATASET_PRESETS.small, nowMs: () => 1_767_225_600_000 };
const reference = new FeedCore(options);
const handler = createRestHandler(new FeedCore(options));

async function get(path: string): Promise<Response> {
  return handler(new Request(`http://x${path}`));
}

async function decoded<D extends DescMessage>(schema: D, res: Response): Promise<MessageShape<D>> {
  return fromJson(schema, (await res.json()) as JsonValue);
}

function ndjson(lines: readonly unknown[]): string {
  return lines.map((line) => `${typeof line === 'string' ? line : JSON.stringify(line)}\n`).join('');
}

test('GET /v1/users/{id} returns the core user', async (t) => {
  const res = await get('/v1/users/u000001');
  t.is(res.status, 200);
  t.is(res.headers.get('content-type'), 'application/json');
  t.true(
    equals(
      UserSchema,
      await decoded(UserSchema, res),
      await reference.getUser(create(GetUserRequestSchema, { id: 'u000001' })),
    ),
  );
});

test('GET /v1/posts/{id} returns the core post', async (t) => {
  const expected = await reference.getPost(create(GetPostRequestSchema, { id: 'p000001' }));
  t.true(equals(PostSchema, await decoded(PostSchema, await get('/v1/posts/p000001')), expected));
});

test('GET /v1/posts pages like the core, query params typed', async (t) => {
  const first = await decoded(ListPostsResponseSchema, await get('/v1/posts?limit=3'));
  t.true(
    equals(
      ListPostsResponseSchema,
      first,
      await reference.listPosts(create(ListPostsRequestSchema, { limit: 3 })),
    ),
  );
  const second = await get(`/v1/posts?limit=3&pageToken=${encodeURIComponent(first.nextPageToken)}`);
  const expected = await reference.listPosts(
    create(ListPostsRequestSchema, { limit: 3, pageToken: first.nextPageToken }),
  );
  t.true(equals(ListPostsResponseSchema, await decoded(ListPostsResponseSchema, second), expected));
  const byAuthor = await decoded(ListPostsResponseSchema, await get('/v1/posts?authorId=u000002&limit=50'));
  t.true(byAuthor.posts.every((p) => p.authorId === 'u000002'));
});

test('GET /v1/posts/{postId}/comments returns the core comments', async (t) => {
  const expected = await reference.listComments(
    create(ListCommentsRequestSchema, { postId: 'p000001', limit: 5 }),
  );
  const res = await get('/v1/posts/p000001/comments?limit=5');
  t.true(equals(ListCommentsResponseSchema, await decoded(ListCommentsResponseSchema, res), expected));
});

test('GET /v1/author-digests reads repeated userIds', async (t) => {
  const res = await get(
    '/v1/author-digests?userIds=u000001&userIds=u000002&postsPerUser=2&commentsPerPost=3',
  );
  const expected = await reference.getAuthorDigests(
    create(GetAuthorDigestsRequestSchema, {
      userIds: ['u000001', 'u000002'],
      postsPerUser: 2,
      commentsPerPost: 3,
    }),
  );
  t.true(
    equals(GetAuthorDigestsResponseSchema, await decoded(GetAuthorDigestsResponseSchema, res), expected),
  );
});

test('GET /v1/topics/{topic}/events streams NDJSON events in order', async (t) => {
  const res = await get('/v1/topics/news/events?count=5');
  t.is(res.headers.get('content-type'), 'application/x-ndjson');
  const lines = (await res.text()).trimEnd().split('\n');
  const expected: MessageShape<typeof FeedEventSchema>[] = [];
  for await (const e of reference.streamFeed(create(StreamFeedRequestSchema, { topic: 'news', count: 5 }))) {
    expected.push(e);
  }
  t.is(lines.length, 5);
  lines.forEach((line, i) => {
    t.true(equals(FeedEventSchema, fromJson(FeedEventSchema, JSON.parse(line)), expected[i]!));
  });
});

test('POST /v1/posts and /v1/posts:import create what the core creates', async (t) => {
  // Fresh cores: creation mutates, and other tests run concurrently.
  const fresh = createRestHandler(new FeedCore(options));
  const mirror = new FeedCore(options);
  const input = { authorId: 'u000001', title: 'Hello', body: 'World', tags: ['a', 'b'] };
  const created = await fresh(
    new Request('http://x/v1/posts', {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify(input),
    }),
  );
  t.is(created.status, 201);
  const expected = await mirror.createPost(fromJson(CreatePostRequestSchema, input));
  t.true(equals(PostSchema, await decoded(PostSchema, created), expected));
  const posts = [1, 2, 3].map((i) => ({ authorId: 'u000003', title: `t${i}` }));
  const imported = await fresh(
    new Request('http://x/v1/posts:import', {
      method: 'POST',
      headers: { 'content-type': 'application/x-ndjson' },
      body: ndjson(posts),
    }),
  );
  t.is(imported.status, 200);
  const mirrored = await mirror.importPosts(
    (async function* () {
      for (const p of posts) yield fromJson(CreatePostRequestSchema, p);
    })(),
  );
  t.true(equals(ImportPostsResponseSchema, await decoded(ImportPostsResponseSchema, imported), mirrored));
});

test('errors are JSON with code, message and status', async (t) => {
  const cases: [string, RequestInit | undefined, number, string, RegExp][] = [
    ['/v1/users/u999999', undefined, 404, 'NOT_FOUND', /expected an existing user id/],
    ['/v1/nowhere', undefined, 404, 'NOT_FOUND', /expected a REST route, got GET \/v1\/nowhere/],
    ['/v1/posts?limit=12abc', undefined, 400, 'INVALID_ARGUMENT', /limit: expected an int32, got "12abc"/],
    ['/v1/posts?limit=1&limit=2', undefined, 400, 'INVALID_ARGUMENT', /expected one value/],
    ['/v1/posts?color=red', undefined, 400, 'INVALID_ARGUMENT', /expected one of limit.*got "color"/],
    ['/v1/topics/t/events?count=0', undefined, 400, 'INVALID_ARGUMENT', /count: expected 1\.\./],
    ['/v1/users/u000001', { method: 'DELETE' }, 405, 'UNIMPLEMENTED', /expected GET, OPTIONS, got DELETE/],
    ['/v1/posts', { method: 'POST', body: '{}' }, 415, 'UNIMPLEMENTED', /expected application\/json/],
    ['/v1/posts', jsonPost('{"title":'), 400, 'INVALID_ARGUMENT', /expected JSON/],
    ['/v1/posts', jsonPost('{"colour":"red"}'), 400, 'INVALID_ARGUMENT', /CreatePostRequest.*colour/],
  ];
  for (const [path, init, status, code, message] of cases) {
    const res = await handler(new Request(`http://x${path}`, init));
    const body = (await res.json()) as { error: { code: string; message: string; httpStatus: number } };
    t.is(res.status, status, path);
    t.is(body.error.code, code, path);
    t.is(body.error.httpStatus, status, path);
    t.regex(body.error.message, message, path);
  }
});

test('405 and OPTIONS name the allowed verbs', async (t) => {
  const res = await handler(new Request('http://x/v1/posts', { method: 'PUT' }));
  t.is(res.status, 405);
  t.is(res.headers.get('allow'), 'GET, POST, OPTIONS');
  const options = await handler(new Request('http://x/v1/posts', { method: 'OPTIONS' }));
  t.is(options.status, 204);
  t.is(options.headers.get('allow'), 'GET, POST, OPTIONS');
});

test('bodies over the cap are 413, declared or streamed', async (t) => {
  const small = createRestHandler(new FeedCore(options), { maxBodyBytes: 1024 });
  const big = JSON.stringify({ authorId: 'u000001', title: 'x', body: 'y'.repeat(4096) });
  const init = jsonPost(big);
  const declared = await small(
    new Request('http://x/v1/posts', {
      ...init,
      headers: { ...init.headers, 'content-length': `${big.length}` },
    }),
  );
  t.is(declared.status, 413);
  t.regex(((await declared.json()) as { error: { message: string } }).error.message, /Content-Length/);
  const stream = new ReadableStream<Uint8Array>({
    start(c) {
      for (let i = 0; i < 4; i++) c.enqueue(new TextEncoder().encode('x'.repeat(1024)));
      c.close();
    },
  });
  const chunked = { ...jsonPost(''), body: stream, duplex: 'half' } as RequestInit;
  const streamed = await small(new Request('http://x/v1/posts', chunked));
  t.is(streamed.status, 413);
  t.regex(
    ((await streamed.json()) as { error: { message: string } }).error.message,
    /at most 1024 bytes, got more/,
  );
});

test('a bad NDJSON line is 400 naming the line', async (t) => {
  const fresh = createRestHandler(new FeedCore(options));
  const body = ndjson([{ authorId: 'u000001', title: 'ok' }, '', '{not json']);
  const res = await fresh(
    new Request('http://x/v1/posts:import', {
      method: 'POST',
      headers: { 'content-type': 'application/x-ndjson' },
      body,
    }),
  );
  t.is(res.status, 400);
  t.regex(((await res.json()) as { error: { message: string } }).error.message, /^line 3: expected JSON/);
});

test('cancelling a stream body stops the core generator with an aborted signal', async (t) => {
  const ends: boolean[] = [];
  class SpyCore extends FeedCore {
    override async *streamFeed(req: StreamFeedRequest, ctx: CallContext = {}) {
      try {
        yield* super.streamFeed(req, ctx);
      } finally {
        ends.push(ctx.signal?.aborted ?? false);
      }
    }
  }
  const spy = createRestHandler(new SpyCore(options));
  const res = await spy(new Request('http://x/v1/topics/t/events?count=1000000&ratePerSecond=1000'));
  const reader = res.body!.getReader();
  await reader.read();
  await reader.read();
  await reader.cancel();
  for (let i = 0; i < 100 && ends.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
  t.deepEqual(ends, [true]);
});

function jsonPost(body: string): RequestInit & { headers: Record<string, string> } {
  return { method: 'POST', headers: { 'content-type': 'application/json' }, body };
}
