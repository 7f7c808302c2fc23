import { create } from '@bufbuild/protobuf';
import type { createSchema, YogaInitialContext } from 'graphql-yoga';
import {
  type Comment,
  CreatePostRequestSchema,
  type FeedEvent,
  GetAuthorDigestsRequestSchema,
  GetPostRequestSchema,
  ListCommentsRequestSchema,
  ListPostsRequestSchema,
  type Post,
  StreamFeedRequestSchema,
  type User,
  type Visibility,
} from '../../schemas/gen/wirebench/v1/feed_pb.js';
import type { RequestScope } from './request-scope.js';
import { BytesScalar, DateTimeScalar, ENUM_RESOLVERS, Int64Scalar } from './scalars.js';

/** What every resolver receives: yoga's request plus this request's scope (counting core, loaders). */
export interface ScopeContext {
  readonly scope: RequestScope;
}
export type GraphqlContext = YogaInitialContext & ScopeContext;

/** CreatePostInput after graphql-js coercion (enums are already proto numbers, see ENUM_RESOLVERS). */
interface CreatePostInput {
  readonly authorId: string;
  readonly title: string;
  readonly body: string;
  readonly tags: readonly string[];
  readonly visibility: Visibility;
}

type Args = Record<string, unknown>;
/** The resolver map type createSchema takes, derived so no transitive package is imported directly. */
type Resolvers = NonNullable<Parameters<typeof createSchema<ScopeContext>>[0]['resolvers']>;
type Limit = { readonly limit?: number | null };

/**
 * Resolvers translate arguments into the proto request, call FeedCore (through
 * the request scope, so calls are counted) and return proto messages as they
 * are: the SDL's field names are the messages' property names, so default
 * resolvers and the custom scalars do the rest. No business rule lives here.
 */
export const RESOLVERS: Resolvers = {
  DateTime: DateTimeScalar,
  Int64: Int64Scalar,
  Bytes: BytesScalar,
  ...ENUM_RESOLVERS,
  Query: {
    user: (_: unknown, a: { id: string }, { scope }: GraphqlContext) => scope.rootUser(a.id),
    post: (_: unknown, a: { id: string }, { scope }: GraphqlContext) =>
      scope.core.getPost(create(GetPostRequestSchema, { id: a.id })),
    posts: (_: unknown, a: Args, { scope }: GraphqlContext) =>
      scope.core.listPosts(
        create(ListPostsRequestSchema, {
          limit: (a.limit as number | null) ?? 0,
          pageToken: (a.pageToken as string | null) ?? '',
          ...(a.authorId == null ? {} : { authorId: a.authorId as string }),
        }),
      ),
    comments: async (_: unknown, a: { postId: string } & Limit, { scope }: GraphqlContext) => {
      const request = create(ListCommentsRequestSchema, { postId: a.postId, limit: a.limit ?? 0 });
      return (await scope.core.listComments(request)).comments;
    },
    authorDigests: async (_: unknown, a: Args, { scope }: GraphqlContext) => {
      const request = create(GetAuthorDigestsRequestSchema, {
        userIds: a.userIds as string[],
        postsPerUser: (a.postsPerUser as number | null) ?? 0,
        commentsPerPost: (a.commentsPerPost as number | null) ?? 0,
      });
      return (await scope.core.getAuthorDigests(request)).digests;
    },
  },
  Mutation: {
    createPost: (_: unknown, a: { input: CreatePostInput }, { scope }: GraphqlContext) =>
      scope.core.createPost(createPostRequest(a.input)),
    // GraphQL has no client stream: the whole import arrives as one list and is fed to the core as a stream.
    importPosts: (_: unknown, a: { inputs: readonly CreatePostInput[] }, { scope }: GraphqlContext) =>
      scope.core.importPosts(streamOf(a.inputs.map(createPostRequest))),
  },
  Subscription: {
    feed: {
      subscribe: (_: unknown, a: Args, { scope, request }: GraphqlContext) =>
        scope.core.streamFeed(
          create(StreamFeedRequestSchema, {
            topic: a.topic as string,
            count: a.count as number,
            ratePerSecond: (a.ratePerSecond as number | null) ?? 0,
          }),
          { signal: request.signal },
        ),
      resolve: (event: FeedEvent) => event,
    },
  },
  // The oneof `payload` is two nullable fields, at most one set.
  FeedEvent: {
    post: (event: FeedEvent) => (event.payload.case === 'post' ? event.payload.value : null),
    comment: (event: FeedEvent) => (event.payload.case === 'comment' ? event.payload.value : null),
  },
  User: {
    posts: (user: User, a: Limit, { scope }: GraphqlContext) => scope.postsOf(user.id, a.limit),
  },
  Post: {
    author: (post: Post, _: unknown, { scope }: GraphqlContext) => scope.author(post.authorId),
    comments: (post: Post, a: Limit, { scope }: GraphqlContext) => scope.commentsOf(post.id, a.limit),
  },
  Comment: {
    author: (comment: Comment, _: unknown, { scope }: GraphqlContext) => scope.author(comment.authorId),
  },
};

function createPostRequest(input: CreatePostInput) {
  return create(CreatePostRequestSchema, {
    authorId: input.authorId,
    title: input.title,
    body: input.body,
    tags: [...input.tags],
    visibility: input.visibility,
  });
}

async function* streamOf<T>(items: readonly T[]): AsyncGenerator<T> {
  yield* items;
}
