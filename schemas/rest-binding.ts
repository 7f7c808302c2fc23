import type { DescMethod } from '@bufbuild/protobuf';
import { FeedService } from './gen/wirebench/v1/feed_pb.js';

/**
 * How each FeedService method appears as a REST resource — the HTTP binding,
 * in the spirit of google.api.http annotations. Server, client and the
 * OpenAPI drift test read this one table, so a route exists once.
 *
 * Message bodies are protobuf JSON (camelCase names, int64 and bytes as
 * strings, enums by name, timestamps RFC 3339) with every field emitted.
 * Streams are NDJSON: one JSON message per line.
 */
export interface RestRoute {
  readonly method: DescMethod;
  readonly verb: 'GET' | 'POST';
  /** Path template; `{field}` segments fill request fields (URL-decoded). */
  readonly path: string;
  /** Request fields read from the query string (GET); repeated fields repeat the parameter. */
  readonly query: readonly string[];
  /** `message`: the request is one JSON message; `ndjson`: a stream of them; `none`: no body. */
  readonly requestBody: 'none' | 'message' | 'ndjson';
  /** `message`: one JSON message; `ndjson`: a stream of them, one per line. */
  readonly responseBody: 'message' | 'ndjson';
  readonly successStatus: 200 | 201;
}

const m = FeedService.method;

export const REST_ROUTES: readonly RestRoute[] = [
  {
    method: m.getUser,
    verb: 'GET',
    path: '/v1/users/{id}',
    query: [],
    requestBody: 'none',
    responseBody: 'message',
    successStatus: 200,
  },
  {
    method: m.getPost,
    verb: 'GET',
    path: '/v1/posts/{id}',
    query: [],
    requestBody: 'none',
    responseBody: 'message',
    successStatus: 200,
  },
  {
    method: m.listPosts,
    verb: 'GET',
    path: '/v1/posts',
    query: ['limit', 'pageToken', 'authorId'],
    requestBody: 'none',
    responseBody: 'message',
    successStatus: 200,
  },
  {
    method: m.listComments,
    verb: 'GET',
    path: '/v1/posts/{postId}/comments',
    query: ['limit'],
    requestBody: 'none',
    responseBody: 'message',
    successStatus: 200,
  },
  {
    method: m.createPost,
    verb: 'POST',
    path: '/v1/posts',
    query: [],
    requestBody: 'message',
    responseBody: 'message',
    successStatus: 201,
  },
  {
    method: m.getAuthorDigests,
    verb: 'GET',
    path: '/v1/author-digests',
    query: ['userIds', 'postsPerUser', 'commentsPerPost'],
    requestBody: 'none',
    responseBody: 'message',
    successStatus: 200,
  },
  {
    method: m.streamFeed,
    verb: 'GET',
    path: '/v1/topics/{topic}/events',
    query: ['count', 'ratePerSecond'],
    requestBody: 'none',
    responseBody: 'ndjson',
    successStatus: 200,
  },
  {
    method: m.importPosts,
    verb: 'POST',
    path: '/v1/posts:import',
    query: [],
    requestBody: 'ndjson',
    responseBody: 'message',
    successStatus: 200,
  },
];

/** Path parameter names of a template, in order (`/v1/posts/{postId}/comments` → `['postId']`). */
export function pathParams(template: string): string[] {
  return [...template.matchAll(/\{(\w+)\}/g)].map((match) => match[1] ?? '');
}

/** Media types used on the REST surface. */
export const REST_MEDIA = { json: 'application/json', ndjson: 'application/x-ndjson' } as const;
