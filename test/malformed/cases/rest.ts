import { MAX_BODY_BYTES, OVERSIZE, type ProtocolCases } from './types.js';

const JSON_TYPE = { 'content-type': 'application/json' };
const NDJSON_TYPE = { 'content-type': 'application/x-ndjson' };
const POST = { authorId: 'u000001', title: 'malformed-suite', body: 'x' };

/**
 * REST/JSON: every refusal is an HTTP status with the adapter's JSON error
 * body `{ error: { code, message, httpStatus } }` (services/rest/errors.ts).
 */
export const REST_CASES: ProtocolCases = {
  wellFormed: {
    name: 'GET a user',
    request: { method: 'GET', path: '/v1/users/u000001' },
    expect: { status: 200 },
  },
  cases: [
    {
      name: 'bad JSON',
      request: { method: 'POST', path: '/v1/posts', headers: JSON_TYPE, body: '{"title": nope' },
      expect: { status: 400, errorCode: 'INVALID_ARGUMENT' },
    },
    {
      name: 'JSON of the wrong shape (unknown field)',
      request: { method: 'POST', path: '/v1/posts', headers: JSON_TYPE, body: '{"nope": 1}' },
      expect: { status: 400, errorCode: 'INVALID_ARGUMENT' },
    },
    {
      name: 'a bad line in an NDJSON upload',
      request: {
        method: 'POST',
        path: '/v1/posts:import',
        headers: NDJSON_TYPE,
        body: [`${JSON.stringify(POST)}\n`, '{"authorId":\n'],
      },
      expect: { status: 400, errorCode: 'INVALID_ARGUMENT' },
    },
    {
      name: 'wrong content type',
      request: { method: 'POST', path: '/v1/posts', headers: { 'content-type': 'text/plain' }, body: '{}' },
      expect: { status: 415, errorCode: 'UNIMPLEMENTED' },
    },
    {
      name: `oversize body (content-length ${OVERSIZE} > ${MAX_BODY_BYTES})`,
      request: { method: 'POST', path: '/v1/posts', headers: JSON_TYPE, body: 'x'.repeat(OVERSIZE) },
      expect: { status: 413, errorCode: 'RESOURCE_EXHAUSTED' },
    },
    {
      name: 'oversize body (chunks, no content-length)',
      request: {
        method: 'POST',
        path: '/v1/posts',
        headers: JSON_TYPE,
        body: ['{"title":"', 'x'.repeat(OVERSIZE / 2), 'x'.repeat(OVERSIZE / 2), '"}'],
      },
      expect: { status: 413, errorCode: 'RESOURCE_EXHAUSTED' },
    },
    {
      name: 'unknown route',
      request: { method: 'GET', path: '/v2/everything' },
      expect: { status: 404, errorCode: 'NOT_FOUND' },
    },
    {
      name: 'wrong verb',
      request: { method: 'DELETE', path: '/v1/users/u000001' },
      expect: { status: 405, errorCode: 'UNIMPLEMENTED' },
    },
  ],
};
