import test from 'ava';
import { FeedService } from '../../schemas/gen/wirebench/v1/feed_pb.js';
import { entityId } from '../../services/core/index.js';
import {
  createGraphqlYoga,
  DATALOADER_HEADER,
  digestAlias,
  digestDocument,
} from '../../services/graphql/index.js';
import { Fixture, gqlInit, newCore } from './helpers.js';

const fixture = new Fixture();
test.after.always(() => fixture.close());

const POSTS_PER_USER = 3;
const COMMENTS_PER_POST = 2;

function digestBody(n: number) {
  const variables: Record<string, unknown> = {
    postsPerUser: POSTS_PER_USER,
    commentsPerPost: COMMENTS_PER_POST,
  };
  for (let i = 0; i < n; i++) variables[digestAlias(i)] = entityId('u', i);
  return { query: digestDocument(n), variables };
}

/**
 * The nested query for N users with their posts and comments. With DataLoader
 * each level is one batch call: usersBatch + postsByAuthorsBatch +
 * commentsByPostsBatch = 3, whatever N. Without, every parent makes its own
 * call: N users + N post lists + one comment list per post = 2N + N·P (each
 * user of the small preset has 10 ≥ P posts). The figure is checked twice:
 * the response's `extensions.backendCalls` and the shared backend's counter.
 */
for (const n of [5, 20]) {
  for (const dataloader of [true, false]) {
    const expected = dataloader ? 3 : 2 * n + n * POSTS_PER_USER;
    test(`digest of ${n} users ${dataloader ? 'with' : 'without'} DataLoader: ${expected} backend calls`, async (t) => {
      const core = newCore();
      const yoga = createGraphqlYoga(core);
      const before = core.backend.stats().total;
      const headers = { [DATALOADER_HEADER]: dataloader ? 'on' : 'off' };
      const response = await yoga.fetch('http://test/graphql', gqlInit(digestBody(n), headers));
      const body = (await response.json()) as {
        data: Record<string, unknown>;
        extensions: { backendCalls: number };
      };
      t.is(response.status, 200);
      t.is(Object.keys(body.data).length, n);
      t.is(body.extensions.backendCalls, expected);
      t.is(core.backend.stats().total - before, expected);
      if (dataloader) {
        t.deepEqual(core.backend.stats().byCall, {
          usersBatch: 1,
          postsByAuthorsBatch: 1,
          commentsByPostsBatch: 1,
        });
      }
    });
  }
}

test('edges to authors batch too: Post.author and Comment.author share the users loader per level', async (t) => {
  const core = newCore();
  const yoga = createGraphqlYoga(core);
  const query = '{ posts(limit: 20) { posts { author { id } comments(limit: 3) { author { id } } } } }';
  const comments = core.dataset.posts.slice(0, 20).reduce((sum, p) => sum + Math.min(3, p.commentCount), 0);
  const calls = async (mode: string) => {
    const res = await yoga.fetch('http://test/graphql', gqlInit({ query }, { [DATALOADER_HEADER]: mode }));
    return ((await res.json()) as { extensions: { backendCalls: number } }).extensions.backendCalls;
  };
  // postsPage + usersBatch (post authors) + commentsByPostsBatch + usersBatch (comment authors).
  t.is(await calls('on'), 4);
  // postsPage + one user per post + one comment list per post + one user per comment.
  t.is(await calls('off'), 1 + 20 + 20 + comments);
});

test('the authorDigests root field is FeedCore.getAuthorDigests: 3 batch calls, DataLoader or not', async (t) => {
  const core = newCore();
  const yoga = createGraphqlYoga(core);
  const query =
    'query($ids: [ID!]!) { authorDigests(userIds: $ids, postsPerUser: 2, commentsPerPost: 1) { user { id } } }';
  for (const mode of ['on', 'off']) {
    const body = { query, variables: { ids: ['u000001', 'u000002', 'u000003'] } };
    const response = await yoga.fetch('http://test/graphql', gqlInit(body, { [DATALOADER_HEADER]: mode }));
    const json = (await response.json()) as {
      data: { authorDigests: unknown[] };
      extensions: { backendCalls: number };
    };
    t.is(json.data.authorDigests.length, 3);
    t.is(json.extensions.backendCalls, 3);
  }
});

test('concurrent requests each report only their own backend calls', async (t) => {
  const yoga = createGraphqlYoga(newCore());
  const run = async (n: number, mode: string) => {
    const response = await yoga.fetch(
      'http://test/graphql',
      gqlInit(digestBody(n), { [DATALOADER_HEADER]: mode }),
    );
    return ((await response.json()) as { extensions: { backendCalls: number } }).extensions.backendCalls;
  };
  const got = await Promise.all([run(5, 'off'), run(20, 'off'), run(20, 'on'), run(5, 'off')]);
  t.deepEqual(got, [25, 100, 3, 25]);
});

test('client: dataloader option and lastBackendCalls(); server option defaults it off', async (t) => {
  const m = FeedService.method;
  const input = {
    userIds: [0, 1, 2, 3, 4].map((i) => entityId('u', i)),
    postsPerUser: POSTS_PER_USER,
    commentsPerPost: COMMENTS_PER_POST,
  };
  const onByDefault = await fixture.server(newCore(), 'h2c');
  const offByDefault = await fixture.server(newCore(), 'h1', { graphql: { dataloader: false } });
  const cases = [
    { server: onByDefault, option: undefined, calls: 3 },
    { server: onByDefault, option: false, calls: 25 },
    { server: offByDefault, option: undefined, calls: 25 },
    { server: offByDefault, option: true, calls: 3 },
  ];
  for (const c of cases) {
    const client = await fixture.client(
      c.server,
      undefined,
      c.option === undefined ? {} : { dataloader: c.option },
    );
    t.is(client.lastBackendCalls(), undefined);
    const digests = await client.unary(m.getAuthorDigests, input);
    t.is(digests.digests.length, 5);
    t.is(client.lastBackendCalls(), c.calls, `${c.server.transport} option ${c.option}`);
  }
});
