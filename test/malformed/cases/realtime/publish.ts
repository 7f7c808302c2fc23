import { MAX_BODY_BYTES, type MalformedCase, OVERSIZE } from '../types.js';

const JSON_TYPE = { 'content-type': 'application/json' };

/**
 * `POST /publish/{topic}`, the publish channel of the HTTP push services
 * (services/realtime/publish.ts), refused with the JSON error body
 * `{ error: { code, message, httpStatus } }`.
 */
export const PUBLISH_CASES: readonly MalformedCase[] = [
  {
    name: 'bad publish JSON',
    request: { method: 'POST', path: '/publish/malformed', headers: JSON_TYPE, body: '{"post":' },
    expect: { status: 400, errorCode: 'INVALID_ARGUMENT' },
  },
  {
    name: 'publish JSON that is not a FeedEvent',
    request: { method: 'POST', path: '/publish/malformed', headers: JSON_TYPE, body: '{"post":{"nope":1}}' },
    expect: { status: 400, errorCode: 'INVALID_ARGUMENT' },
  },
  {
    name: 'publish with the wrong content type',
    request: {
      method: 'POST',
      path: '/publish/malformed',
      headers: { 'content-type': 'text/plain' },
      body: '{}',
    },
    expect: { status: 415, errorCode: 'UNIMPLEMENTED' },
  },
  {
    name: `oversize publish (content-length ${OVERSIZE} > ${MAX_BODY_BYTES})`,
    request: {
      method: 'POST',
      path: '/publish/malformed',
      headers: JSON_TYPE,
      body: JSON.stringify({ post: { title: 'x'.repeat(OVERSIZE) } }),
    },
    expect: { status: 413, errorCode: 'RESOURCE_EXHAUSTED' },
  },
  {
    name: 'oversize publish (chunks, no content-length)',
    request: {
      method: 'POST',
      path: '/publish/malformed',
      headers: JSON_TYPE,
      body: ['{"post":{"title":"', 'x'.repeat(OVERSIZE / 2), 'x'.repeat(OVERSIZE / 2), '"}}'],
    },
    expect: { status: 413, errorCode: 'RESOURCE_EXHAUSTED' },
  },
  {
    name: 'publish to a topic over 200 characters',
    request: { method: 'POST', path: `/publish/${'t'.repeat(201)}`, headers: JSON_TYPE, body: '{"post":{}}' },
    expect: { status: 400, errorCode: 'INVALID_ARGUMENT' },
  },
  {
    name: 'publish to a topic that is not percent-encoded UTF-8',
    request: { method: 'POST', path: '/publish/%E0%A4%A', headers: JSON_TYPE, body: '{"post":{}}' },
    expect: { status: 400, errorCode: 'INVALID_ARGUMENT' },
  },
  {
    name: 'unknown path',
    request: { method: 'GET', path: '/nope/malformed' },
    expect: { status: 404, errorCode: 'NOT_FOUND' },
  },
  {
    name: 'publish path with an extra segment',
    request: { method: 'POST', path: '/publish/malformed/extra', headers: JSON_TYPE, body: '{"post":{}}' },
    expect: { status: 404, errorCode: 'NOT_FOUND' },
  },
  {
    name: 'GET on the publish path',
    request: { method: 'GET', path: '/publish/malformed' },
    expect: { status: 405, errorCode: 'UNIMPLEMENTED' },
  },
];
