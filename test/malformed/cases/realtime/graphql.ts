import { GRAPHQL_CASES } from '../graphql.js';
import type { RealtimeCases } from '../types.js';
import { GRAPHQL_WS_FRAMES, GRAPHQL_WS_FRAMES_ON } from './graphql-ws.js';

const JSON_POST = { 'content-type': 'application/json', accept: 'application/graphql-response+json' };
const SSE_POST = { 'content-type': 'application/json', accept: 'text/event-stream' };
const body = (query: string, variables: Record<string, unknown>): string =>
  JSON.stringify({ query, variables });
const PUBLISH =
  'mutation P($topic: String!, $post: PostInput) { publish(topic: $topic, post: $post) { seq } }';
const SUBSCRIBE =
  'subscription T($topic: String!, $afterSeq: Int64) { topic(topic: $topic, afterSeq: $afterSeq) { __typename } }';

/**
 * GraphQL push (the same yoga and SDL on the realtime HTTP host): every
 * request/response GraphQL case, then the push operations. A refusal by the
 * core is an execution error (200, `INVALID_ARGUMENT` in the result, the
 * GraphQL convention); a variable that does not coerce is a 400. Over SSE
 * (`accept: text/event-stream`, yoga's distinct-connections mode) the error
 * comes as the stream's `next` event — with 200 even for a syntax error or
 * bad JSON, 400 only for a variable that does not coerce (yoga's choice).
 * Over WebSocket (graphql-ws, h1 and h1s) the raw frames of ./graphql-ws.ts.
 */
export const GRAPHQL_PUSH_CASES: RealtimeCases = {
  frames: GRAPHQL_WS_FRAMES,
  framesOn: GRAPHQL_WS_FRAMES_ON,
  http: [
    ...GRAPHQL_CASES.cases,
    {
      name: 'publish to an empty topic',
      request: {
        method: 'POST',
        path: '/graphql',
        headers: JSON_POST,
        body: body(PUBLISH, { topic: '', post: { id: 'p1' } }),
      },
      expect: { status: 200, errorCode: 'INVALID_ARGUMENT' },
    },
    {
      name: 'publish without a payload',
      request: {
        method: 'POST',
        path: '/graphql',
        headers: JSON_POST,
        body: body(PUBLISH, { topic: 'malformed' }),
      },
      expect: { status: 200, errorCode: 'INVALID_ARGUMENT' },
    },
    {
      name: 'publish a post input with an unknown field',
      request: {
        method: 'POST',
        path: '/graphql',
        headers: JSON_POST,
        body: body(PUBLISH, { topic: 'malformed', post: { nope: 1 } }),
      },
      expect: { status: 400 },
    },
    {
      name: 'subscribe (SSE) with an afterSeq that is not an Int64',
      request: {
        method: 'POST',
        path: '/graphql',
        headers: SSE_POST,
        body: body(SUBSCRIBE, { topic: 't', afterSeq: 'yesterday' }),
      },
      expect: { status: 400, errorCode: 'BAD_USER_INPUT' },
    },
    {
      name: 'subscribe (SSE) to an empty topic',
      request: { method: 'POST', path: '/graphql', headers: SSE_POST, body: body(SUBSCRIBE, { topic: '' }) },
      expect: { status: 200, errorCode: 'INVALID_ARGUMENT' },
    },
    {
      name: 'subscribe (SSE) with a syntax error',
      request: {
        method: 'POST',
        path: '/graphql',
        headers: SSE_POST,
        body: body('subscription { topic(topic: "t") { ', {}),
      },
      expect: { status: 200, errorCode: 'GRAPHQL_PARSE_FAILED' },
    },
    {
      name: 'subscribe (SSE) with bad JSON',
      request: { method: 'POST', path: '/graphql', headers: SSE_POST, body: '{"query":' },
      expect: { status: 200, errorCode: 'BAD_REQUEST' },
    },
  ],
};
