import { create, type MessageShape } from '@bufbuild/protobuf';
import {
  AuthorDigestSchema,
  FeedService,
  GetAuthorDigestsResponseSchema,
  PostWithCommentsSchema,
} from '../../schemas/gen/wirebench/v1/feed_pb.js';
import { entityId } from '../../services/core/index.js';
import { checkedCall } from './checked-call.js';
import type { Scenario, ScenarioContext } from './types.js';

const m = FeedService.method;

export interface NestedShape {
  readonly users: number;
  readonly postsPerUser: number;
  readonly commentsPerPost: number;
}

function pickUsers(ctx: ScenarioContext, n: number): string[] {
  const ids = new Set<string>();
  while (ids.size < n) ids.add(entityId('u', ctx.random.int(0, ctx.oracle.dataset.users.length - 1)));
  return [...ids];
}

const digestFingerprint = (list: readonly unknown[]): string => {
  const r = list[0] as MessageShape<typeof GetAuthorDigestsResponseSchema> | undefined;
  return (r?.digests ?? [])
    .map((d) => `${d.user?.id}:${d.posts.map((p) => `${p.post?.id}/${p.comments.length}`).join('+')}`)
    .join(',');
};

/** The nested read in one call: REST's expanded resource, gRPC's dedicated RPC, GraphQL's nested query. */
export function nestedScenario(shape: NestedShape): Scenario {
  return checkedCall({
    name: 'nested',
    description: `${shape.users} users × ${shape.postsPerUser} posts × ${shape.commentsPerPost} comments in one round trip.`,
    methodKind: 'unary',
    requestSchema: m.getAuthorDigests.input,
    responseSchema: m.getAuthorDigests.output,
    input: (ctx) =>
      create(m.getAuthorDigests.input, {
        userIds: pickUsers(ctx, shape.users),
        postsPerUser: shape.postsPerUser,
        commentsPerPost: shape.commentsPerPost,
      }),
    call: async (ctx, input, options) => ({
      sent: [input],
      received: [await ctx.client.unary(m.getAuthorDigests, input, options)],
    }),
    expected: async (ctx, input) => [await ctx.oracle.getAuthorDigests(input)],
    fingerprint: digestFingerprint,
  });
}

/**
 * The same data fetched the naive way a client of a resource API does it:
 * each user, then each user's posts, then each post's comments — one call per
 * item, the calls of one level in parallel. Round trips: 1 + 1 + N levels,
 * calls: N + N + N×M. Shows what N+1 costs on the wire and in the backend.
 */
export function nestedNaiveScenario(shape: NestedShape): Scenario {
  return checkedCall({
    name: 'nested-naive',
    description: `The nested read as 2N + N×M unary calls (N = ${shape.users}, M = ${shape.postsPerUser}): the N+1 pattern.`,
    methodKind: 'unary',
    requestSchema: m.getAuthorDigests.input,
    responseSchema: m.getAuthorDigests.output,
    input: (ctx) =>
      create(m.getAuthorDigests.input, {
        userIds: pickUsers(ctx, shape.users),
        postsPerUser: shape.postsPerUser,
        commentsPerPost: shape.commentsPerPost,
      }),
    call: async (ctx, input, options) => {
      const { client } = ctx;
      // Only the first call's first byte is the TTFB: that is when the user sees anything at all.
      const users = await Promise.all(input.userIds.map((id) => client.unary(m.getUser, { id }, options)));
      const pages = await Promise.all(
        input.userIds.map((authorId) =>
          client.unary(m.listPosts, { authorId, limit: input.postsPerUser }, options),
        ),
      );
      const posts = pages.flatMap((p) => p.posts);
      const comments = await Promise.all(
        posts.map((p) =>
          client.unary(m.listComments, { postId: p.id, limit: input.commentsPerPost }, options),
        ),
      );
      const byPost = new Map(posts.map((p, i) => [p.id, comments[i]?.comments ?? []]));
      const response = create(GetAuthorDigestsResponseSchema, {
        digests: users.map((user, i) =>
          create(AuthorDigestSchema, {
            user,
            posts: (pages[i]?.posts ?? []).map((post) =>
              create(PostWithCommentsSchema, { post, comments: byPost.get(post.id) ?? [] }),
            ),
          }),
        ),
      });
      return { sent: [input], received: [response] };
    },
    expected: async (ctx, input) => [await ctx.oracle.getAuthorDigests(input)],
    fingerprint: digestFingerprint,
  });
}
