import type { DescMessage } from '@bufbuild/protobuf';
import {
  CreatePostRequestSchema,
  FeedEventSchema,
  FeedService,
  type GetAuthorDigestsRequest,
  GetAuthorDigestsResponseSchema,
  ImportPostsResponseSchema,
  ListCommentsResponseSchema,
  ListPostsResponseSchema,
  PostSchema,
  UserSchema,
} from '../../schemas/gen/wirebench/v1/feed_pb.js';
import { DOCUMENTS, digestAlias, digestDocument } from '../../services/graphql/documents.js';
import { decodeMessage, encodeMessage } from './codec.js';

/** What a GraphQL response's `data` is, before decoding. */
export type Data = Record<string, unknown>;

/**
 * One FeedService method as a GraphQL operation: the document, the variables
 * made from the proto request, and the proto response made from `data`.
 */
export interface Operation {
  readonly mutation: boolean;
  request(input: object): { readonly query: string; readonly variables: Record<string, unknown> };
  response(data: Data): unknown;
}

const m = FeedService.method;

/** Arguments that mirror the request field by field (the drift test guarantees it): variables = the request. */
function mirrored(query: string, input: DescMessage, field: string, output: DescMessage): Operation {
  return {
    mutation: false,
    request: (req) => ({ query, variables: encodeMessage(input, req) }),
    response: (data) => decodeMessage(output, data[field], `data.${field}`),
  };
}

/**
 * GetAuthorDigests as the nested graph query (see digestDocument): users by
 * alias, each with `posts`, each post with `comments` — then regrouped into
 * the proto's AuthorDigest { user, posts: [{ post, comments }] }.
 */
const getAuthorDigests: Operation = {
  mutation: false,
  request: (input) => {
    const req = input as GetAuthorDigestsRequest;
    const variables: Record<string, unknown> = {
      postsPerUser: req.postsPerUser,
      commentsPerPost: req.commentsPerPost,
    };
    req.userIds.forEach((id, i) => {
      variables[digestAlias(i)] = id;
    });
    return { query: digestDocument(req.userIds.length), variables };
  },
  response: (data) => {
    const digests = Object.keys(data).map((alias) => {
      const user = data[alias] as { posts?: { comments?: unknown }[] } | null;
      const posts = (user?.posts ?? []).map((post) => ({ post, comments: post.comments }));
      return { user, posts };
    });
    return decodeMessage(GetAuthorDigestsResponseSchema, { digests }, 'the digest query result');
  },
};

/** Unary methods by localName. Every unary FeedService method has an entry (checked in the tests). */
export const UNARY_OPERATIONS: Readonly<Record<string, Operation>> = {
  getUser: mirrored(DOCUMENTS.getUser, m.getUser.input, 'user', UserSchema),
  getPost: mirrored(DOCUMENTS.getPost, m.getPost.input, 'post', PostSchema),
  listPosts: mirrored(DOCUMENTS.listPosts, m.listPosts.input, 'posts', ListPostsResponseSchema),
  listComments: {
    ...mirrored(DOCUMENTS.listComments, m.listComments.input, 'comments', ListCommentsResponseSchema),
    response: (data) =>
      decodeMessage(ListCommentsResponseSchema, { comments: data.comments }, 'data.comments'),
  },
  createPost: {
    mutation: true,
    request: (req) => ({
      query: DOCUMENTS.createPost,
      variables: { input: encodeMessage(CreatePostRequestSchema, req) },
    }),
    response: (data) => decodeMessage(PostSchema, data.createPost, 'data.createPost'),
  },
  getAuthorDigests,
};

/** StreamFeed as the `feed` subscription; each `next` event's data decodes to one FeedEvent. */
export const STREAM_FEED: Operation = mirrored(
  DOCUMENTS.streamFeed,
  m.streamFeed.input,
  'feed',
  FeedEventSchema,
);

/** ImportPosts as one mutation carrying every buffered input (GraphQL has no client stream). */
export const IMPORT_POSTS = {
  mutation: true,
  request: (inputs: readonly object[]) => ({
    query: DOCUMENTS.importPosts,
    variables: { inputs: inputs.map((req) => encodeMessage(CreatePostRequestSchema, req)) },
  }),
  response: (data: Data): unknown =>
    decodeMessage(ImportPostsResponseSchema, data.importPosts, 'data.importPosts'),
} as const;
