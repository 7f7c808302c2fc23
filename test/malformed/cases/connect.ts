import { FeedService } from '../../../schemas/gen/wirebench/v1/feed_pb.js';
import {
  CREATE_POST,
  envelope,
  framed,
  GET_USER,
  GET_USER_JSON,
  OVERSIZE_GET_USER,
  rpcPath,
  TRUNCATED_PROTOBUF,
} from './rpc.js';
import { MAX_BODY_BYTES, OVERSIZE, type ProtocolCases } from './types.js';

const M = FeedService.method;
const GET_USER_PATH = rpcPath(M.getUser.name);
const STREAM_FEED = rpcPath(M.streamFeed.name);
const IMPORT_POSTS = rpcPath(M.importPosts.name);
const type = (contentType: string) => ({ 'content-type': contentType });

/**
 * The Connect protocol (connect-es), JSON and binary. Unary errors are an
 * HTTP status plus `{code, message}` (the spec's code → status table:
 * invalid_argument 400, internal 500, resource_exhausted 429); streaming
 * errors are a 200 whose end-stream frame carries `error.code`; requests the
 * router cannot take (media type, path, verb) are bare HTTP statuses, which
 * a Connect client reads as the spec says (404 → unimplemented).
 */
export const CONNECT_CASES: ProtocolCases = {
  wellFormed: {
    name: 'unary GetUser in JSON',
    request: { method: 'POST', path: GET_USER_PATH, headers: type('application/json'), body: GET_USER_JSON },
    expect: { status: 200 },
  },
  cases: [
    {
      name: 'bad JSON (unary)',
      request: { method: 'POST', path: GET_USER_PATH, headers: type('application/json'), body: '{"id":' },
      expect: { status: 400, connectCode: 'invalid_argument' },
    },
    {
      name: 'bad JSON in a streaming envelope',
      request: {
        method: 'POST',
        path: IMPORT_POSTS,
        headers: type('application/connect+json'),
        body: framed(Buffer.from('{"authorId":')),
      },
      expect: { status: 200, connectCode: 'invalid_argument' },
    },
    {
      // connect-es 2.2 reports a binary parse failure as internal (500), unlike a JSON one; asserted as it is.
      name: 'truncated protobuf (unary)',
      request: {
        method: 'POST',
        path: GET_USER_PATH,
        headers: type('application/proto'),
        body: TRUNCATED_PROTOBUF,
      },
      expect: { status: 500, connectCode: 'internal' },
    },
    {
      name: 'truncated protobuf in a streaming envelope',
      request: {
        method: 'POST',
        path: STREAM_FEED,
        headers: type('application/connect+proto'),
        body: framed(TRUNCATED_PROTOBUF),
      },
      expect: { status: 200, connectCode: 'internal' },
    },
    {
      name: 'envelope length larger than the data',
      request: {
        method: 'POST',
        path: STREAM_FEED,
        headers: type('application/connect+proto'),
        body: envelope(0, 10, Uint8Array.of(1, 2)),
      },
      expect: { status: 200, connectCode: 'invalid_argument' },
    },
    {
      name: 'envelope header cut short (3 of 5 bytes), client streaming',
      request: {
        method: 'POST',
        path: IMPORT_POSTS,
        headers: type('application/connect+proto'),
        body: [framed(CREATE_POST), Uint8Array.of(0, 0, 0)],
      },
      expect: { status: 200, connectCode: 'invalid_argument' },
    },
    {
      name: 'compressed flag without a Connect-Content-Encoding',
      request: {
        method: 'POST',
        path: STREAM_FEED,
        headers: type('application/connect+proto'),
        body: framed(Uint8Array.of(0x0a, 1, 0x74), 0x01),
      },
      expect: { status: 200, connectCode: 'internal' },
    },
    {
      // The end-stream flag is the server's; connect-es ignores the message and finds none.
      name: 'end-stream flag on a request message',
      request: {
        method: 'POST',
        path: STREAM_FEED,
        headers: type('application/connect+json'),
        body: framed(Buffer.from('{"topic":"t"}'), 0x02),
      },
      expect: { status: 200, connectCode: 'unimplemented' },
    },
    {
      name: 'wrong content type',
      request: { method: 'POST', path: GET_USER_PATH, headers: type('text/plain'), body: GET_USER_JSON },
      expect: { status: 415 },
    },
    {
      name: 'gRPC content type on the Connect endpoint',
      request: {
        method: 'POST',
        path: GET_USER_PATH,
        headers: type('application/grpc+proto'),
        body: framed(GET_USER),
      },
      expect: { status: 415 },
    },
    {
      name: 'unknown method (JSON)',
      request: {
        method: 'POST',
        path: rpcPath('NoSuchMethod'),
        headers: type('application/json'),
        body: '{}',
      },
      expect: { status: 404 },
    },
    {
      name: 'unknown method (binary)',
      request: {
        method: 'POST',
        path: rpcPath('NoSuchMethod'),
        headers: type('application/proto'),
        body: GET_USER,
      },
      expect: { status: 404 },
    },
    {
      name: 'wrong verb (PUT)',
      request: { method: 'PUT', path: GET_USER_PATH, headers: type('application/json'), body: GET_USER_JSON },
      expect: { status: 405 },
    },
    {
      name: `oversize JSON (content-length ${OVERSIZE} > ${MAX_BODY_BYTES})`,
      request: {
        method: 'POST',
        path: GET_USER_PATH,
        headers: type('application/json'),
        body: JSON.stringify({ id: 'x'.repeat(OVERSIZE) }),
      },
      expect: { status: 429, connectCode: 'resource_exhausted' },
    },
    {
      name: 'oversize JSON (chunks, no content-length)',
      request: {
        method: 'POST',
        path: GET_USER_PATH,
        headers: type('application/json'),
        body: ['{"id":"', 'x'.repeat(OVERSIZE / 2), 'x'.repeat(OVERSIZE / 2), '"}'],
      },
      expect: { status: 429, connectCode: 'resource_exhausted' },
    },
    {
      name: 'oversize protobuf (unary)',
      request: {
        method: 'POST',
        path: GET_USER_PATH,
        headers: type('application/proto'),
        body: OVERSIZE_GET_USER,
      },
      expect: { status: 429, connectCode: 'resource_exhausted' },
    },
    {
      name: 'oversize message in a stream',
      request: {
        method: 'POST',
        path: IMPORT_POSTS,
        headers: type('application/connect+proto'),
        body: [framed(CREATE_POST), framed(OVERSIZE_GET_USER)],
      },
      expect: { status: 200, connectCode: 'resource_exhausted' },
    },
  ],
};
