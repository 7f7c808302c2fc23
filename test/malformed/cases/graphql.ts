import { MAX_BODY_BYTES, OVERSIZE, type ProtocolCases } from './types.js';

/** GraphQL over HTTP: the spec's media type, so refusals are 4xx (a legacy `application/json` accept gets 200). */
const HEADERS = { 'content-type': 'application/json', accept: 'application/graphql-response+json' };
const query = (text: string): string => JSON.stringify({ query: text });

/** user → posts → author → … ten levels: over the adapter's depth limit of 8 (services/graphql/limits.ts). */
const TOO_DEEP = `{ user(id: "u000001") { ${'posts { author { '.repeat(4)}id${' } }'.repeat(4)} } }`;

/**
 * GraphQL (graphql-yoga): every refusal is an HTTP status with
 * `{ errors: [{ extensions: { code } }] }`.
 */
export const GRAPHQL_CASES: ProtocolCases = {
  wellFormed: {
    name: 'query a user',
    request: {
      method: 'POST',
      path: '/graphql',
      headers: HEADERS,
      body: query('{ user(id: "u000001") { id } }'),
    },
    expect: { status: 200 },
  },
  cases: [
    {
      name: 'bad JSON',
      request: { method: 'POST', path: '/graphql', headers: HEADERS, body: '{"query": ' },
      expect: { status: 400, errorCode: 'BAD_REQUEST' },
    },
    {
      name: 'GraphQL syntax error',
      request: { method: 'POST', path: '/graphql', headers: HEADERS, body: query('{ user(id: "u1") { id ') },
      expect: { status: 400, errorCode: 'GRAPHQL_PARSE_FAILED' },
    },
    {
      name: 'too-deep query',
      request: { method: 'POST', path: '/graphql', headers: HEADERS, body: query(TOO_DEEP) },
      expect: { status: 400, errorCode: 'DEPTH_LIMIT' },
    },
    {
      name: 'unknown field',
      request: {
        method: 'POST',
        path: '/graphql',
        headers: HEADERS,
        body: query('{ user(id: "u1") { nope } }'),
      },
      expect: { status: 400, errorCode: 'GRAPHQL_VALIDATION_FAILED' },
    },
    {
      name: 'wrong content type',
      request: {
        method: 'POST',
        path: '/graphql',
        headers: { ...HEADERS, 'content-type': 'text/plain' },
        body: query('{ __typename }'),
      },
      expect: { status: 415, errorCode: 'UNSUPPORTED_MEDIA_TYPE' },
    },
    {
      name: `oversize body (content-length ${OVERSIZE} > ${MAX_BODY_BYTES})`,
      request: {
        method: 'POST',
        path: '/graphql',
        headers: HEADERS,
        body: query(`{ __typename }${' '.repeat(OVERSIZE)}`),
      },
      expect: { status: 413, errorCode: 'REQUEST_ENTITY_TOO_LARGE' },
    },
    {
      name: 'oversize body (chunks, no content-length)',
      request: {
        method: 'POST',
        path: '/graphql',
        headers: HEADERS,
        body: ['{"query":"', 'x'.repeat(OVERSIZE / 2), 'x'.repeat(OVERSIZE / 2), '"}'],
      },
      expect: { status: 413, errorCode: 'REQUEST_ENTITY_TOO_LARGE' },
    },
    {
      name: 'wrong verb (PUT)',
      request: { method: 'PUT', path: '/graphql', headers: HEADERS, body: query('{ __typename }') },
      expect: { status: 405, errorCode: 'BAD_REQUEST' },
    },
    {
      name: 'unknown path',
      request: { method: 'POST', path: '/graphql-nope', headers: HEADERS, body: query('{ __typename }') },
      expect: { status: 404 },
    },
  ],
};
