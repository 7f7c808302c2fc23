import { create, type MessageInitShape } from '@bufbuild/protobuf';
import type { createSchema, YogaInitialContext } from 'graphql-yoga';
import {
  type Comment,
  type CommentSchema,
  CreatePostRequestSchema,
  type FeedEvent,
  GetAuthorDigestsRequestSchema,
  GetPostRequestSchema,
  ListCommentsRequestSchema,
  ListPostsRequestSchema,
  type Post,
  type PostSchema,
  type PublishRequest,
  PublishRequestSchema,
  StreamFeedRequestSchema,
  SubscribeRequestSchema,
  type TopicMessage,
  type User,
  type Visibility,
} from '../../schemas/gen/wirebench/v1/feed_pb.js';
import { CoreError } from '../core/index.js';
import { openTopicStream, publishToTopic } from '../realtime/topic-rpc.js';
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
    publish: (_: unknown, a: Args, { scope }: GraphqlContext) =>
      publishToTopic(scope.core, publishRequest(a)),
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
    topic: {
      subscribe: (_: unknown, a: Args, { scope, request }: GraphqlContext) =>
        openTopicStream(
          scope.core,
          create(SubscribeRequestSchema, {
            topic: a.topic as string,
            ...(a.afterSeq == null ? {} : { afterSeq: a.afterSeq as bigint }),
          }),
          request.signal,
        ),
      resolve: (message: TopicMessage) => message,
    },
  },
  // The oneof `kind` is three nullable fields, exactly one set.
  TopicMessage: {
    subscribed: (m: TopicMessage) => (m.kind.case === 'subscribed' ? m.kind.value : null),
    gap: (m: TopicMessage) => (m.kind.case === 'gap' ? m.kind.value : null),
    event: (m: TopicMessage) => (m.kind.case === 'event' ? m.kind.value : null),
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

/**
 * The publish arguments as a PublishRequest. Input objects arrive with nulls
 * for fields left unset (createdAt…), which protobuf-es reads as "unset"
 * only when absent, so nulls are dropped; both payloads at once is refused.
 */
function publishRequest(a: Args): PublishRequest {
  const post = a.post as MessageInitShape<typeof PostSchema> | null | undefined;
  const comment = a.comment as MessageInitShape<typeof CommentSchema> | null | undefined;
  if (post != null && comment != null) {
    throw new CoreError('INVALID_ARGUMENT', 'payload: expected a post or a comment, got both');
  }
  return create(PublishRequestSchema, {
    topic: a.topic as string,
    payload:
      post != null
        ? { case: 'post', value: withoutNulls(post) }
        : comment != null
          ? { case: 'comment', value: withoutNulls(comment) }
          : { case: undefined },
  });
}

function withoutNulls<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v != null)) as T;
}

async function* streamOf<T>(items: readonly T[]): AsyncGenerator<T> {
  yield* items;
}
