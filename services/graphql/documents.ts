import { createHash } from 'node:crypto';
import type { DescField, DescMessage } from '@bufbuild/protobuf';
import {
  CommentSchema,
  FeedEventSchema,
  ImportPostsResponseSchema,
  ListPostsResponseSchema,
  PostSchema,
  TopicMessageSchema,
  UserSchema,
} from '../../schemas/gen/wirebench/v1/feed_pb.js';

/** Where the API lives on every transport. */
export const GRAPHQL_PATH = '/graphql';

/** Request header that switches DataLoader batching on or off for one request (`on` / `off`). */
export const DATALOADER_HEADER = 'x-wb-dataloader';

/** The id of a persisted query: hex SHA-256 of its exact text (as Apollo's APQ and most stores use). */
export function persistedQueryId(query: string): string {
  return createHash('sha256').update(query).digest('hex');
}

/**
 * The wire contract shared by server and client (this module imports no
 * server code, so the client can use it): the path, the DataLoader header,
 * persisted-query ids, and the GraphQL documents the bench sends, one per FeedService method. Their
 * selection sets are generated from the proto descriptors — every field of
 * the message, nested messages expanded — so a response carries exactly the
 * proto message and nothing can drift. Both the server (persisted-query
 * store) and the client (operation table) take them from here.
 */

const TIMESTAMP = 'google.protobuf.Timestamp';

/** `{ id handle … location { latitude longitude } … }` for a proto message; Timestamp is a scalar. */
export function selectionOf(desc: DescMessage): string {
  return `{ ${fieldsOf(desc)} }`;
}

/** The fields of {@link selectionOf} without the braces, to extend a selection with graph edges. */
export function fieldsOf(desc: DescMessage): string {
  return desc.fields.map(fieldSelection).join(' ');
}

function fieldSelection(field: DescField): string {
  const message =
    field.fieldKind === 'message' || (field.fieldKind === 'list' && field.listKind === 'message')
      ? field.message
      : undefined;
  return message && message.typeName !== TIMESTAMP
    ? `${field.jsonName} ${selectionOf(message)}`
    : field.jsonName;
}

const USER = selectionOf(UserSchema);
const POST = selectionOf(PostSchema);
const COMMENT = selectionOf(CommentSchema);

/** Documents of the methods with a fixed shape, by contract method localName (FeedService, TopicService). */
export const DOCUMENTS = {
  getUser: `query GetUser($id: ID!) { user(id: $id) ${USER} }`,
  getPost: `query GetPost($id: ID!) { post(id: $id) ${POST} }`,
  listPosts:
    'query ListPosts($limit: Int, $pageToken: String, $authorId: ID) ' +
    `{ posts(limit: $limit, pageToken: $pageToken, authorId: $authorId) ${selectionOf(ListPostsResponseSchema)} }`,
  listComments: `query ListComments($postId: ID!, $limit: Int) { comments(postId: $postId, limit: $limit) ${COMMENT} }`,
  createPost: `mutation CreatePost($input: CreatePostInput!) { createPost(input: $input) ${POST} }`,
  importPosts: `mutation ImportPosts($inputs: [CreatePostInput!]!) { importPosts(inputs: $inputs) ${selectionOf(ImportPostsResponseSchema)} }`,
  streamFeed:
    'subscription Feed($topic: String!, $count: Int!, $ratePerSecond: Int) ' +
    `{ feed(topic: $topic, count: $count, ratePerSecond: $ratePerSecond) ${selectionOf(FeedEventSchema)} }`,
  subscribe:
    'subscription Topic($topic: String!, $afterSeq: Int64) ' +
    `{ topic(topic: $topic, afterSeq: $afterSeq) ${selectionOf(TopicMessageSchema)} }`,
  publish:
    'mutation Publish($topic: String!, $post: PostInput, $comment: CommentInput) ' +
    `{ publish(topic: $topic, post: $post, comment: $comment) ${selectionOf(FeedEventSchema)} }`,
} as const;

/** Alias of the i-th user in a digest document (`u0`, `u1`, …); also its variable name. */
export const digestAlias = (i: number): string => `u${i}`;

const digestCache = new Map<number, string>();

/**
 * GetAuthorDigests as a graph query: `n` aliased `user(id:)` fields, each with
 * `posts(limit: $postsPerUser)` and every post's `comments(limit:
 * $commentsPerPost)` — the shape that shows N+1 without DataLoader and one
 * batch call per level with it. One document per `n` (cached), since GraphQL
 * cannot repeat a selection over a list variable without a list field.
 */
export function digestDocument(n: number): string {
  let doc = digestCache.get(n);
  if (doc === undefined) {
    const vars = Array.from({ length: n }, (_, i) => `$${digestAlias(i)}: ID!`).join(', ');
    const users = Array.from(
      { length: n },
      (_, i) => `${digestAlias(i)}: user(id: $${digestAlias(i)}) { ...Digest }`,
    );
    const nested = `posts(limit: $postsPerUser) { ${fieldsOf(PostSchema)} comments(limit: $commentsPerPost) ${COMMENT} }`;
    doc =
      `query AuthorDigests($postsPerUser: Int!, $commentsPerPost: Int!, ${vars}) { ${users.join(' ')} } ` +
      `fragment Digest on User { ${fieldsOf(UserSchema)} ${nested} }`;
    digestCache.set(n, doc);
  }
  return doc;
}
