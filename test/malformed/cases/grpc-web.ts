import { FeedService } from '../../../schemas/gen/wirebench/v1/feed_pb.js';
import { envelope, framed, GET_USER, oversizeFramedCases, rpcPath, TRUNCATED_PROTOBUF } from './rpc.js';
import type { ProtocolCases } from './types.js';

const GET_USER_PATH = rpcPath(FeedService.method.getUser.name);
const GRPC_WEB = { 'content-type': 'application/grpc-web+proto', 'x-grpc-web': '1' };

/**
 * gRPC-Web (connect-es): a call that reaches the method answers 200 with its
 * status in the trailer frame (flag 0x80) at the end of the body; what the
 * router refuses (media type, path, verb) is a bare HTTP status, which the
 * gRPC HTTP-to-status mapping reads (404 → UNIMPLEMENTED).
 */
export const GRPC_WEB_CASES: ProtocolCases = {
  wellFormed: {
    name: 'unary GetUser',
    request: { method: 'POST', path: GET_USER_PATH, headers: GRPC_WEB, body: framed(GET_USER) },
    expect: { status: 200, grpcStatus: 0 },
  },
  cases: [
    {
      name: 'envelope length larger than the data',
      request: {
        method: 'POST',
        path: GET_USER_PATH,
        headers: GRPC_WEB,
        body: envelope(0, 10, Uint8Array.of(1, 2)),
      },
      expect: { status: 200, grpcStatus: 3 },
    },
    {
      name: 'stray bytes after the message (a cut-off second header)',
      request: {
        method: 'POST',
        path: GET_USER_PATH,
        headers: GRPC_WEB,
        body: [framed(GET_USER), Uint8Array.of(0, 0)],
      },
      expect: { status: 200, grpcStatus: 3 },
    },
    {
      // connect-es reports a binary parse failure as INTERNAL, as grpc-go and grpc-java do.
      name: 'truncated protobuf',
      request: { method: 'POST', path: GET_USER_PATH, headers: GRPC_WEB, body: framed(TRUNCATED_PROTOBUF) },
      expect: { status: 200, grpcStatus: 13 },
    },
    {
      name: 'compressed flag without a grpc-encoding',
      request: { method: 'POST', path: GET_USER_PATH, headers: GRPC_WEB, body: framed(GET_USER, 0x01) },
      expect: { status: 200, grpcStatus: 13 },
    },
    {
      name: 'two messages to a unary method',
      request: {
        method: 'POST',
        path: GET_USER_PATH,
        headers: GRPC_WEB,
        body: [framed(GET_USER), framed(GET_USER)],
      },
      expect: { status: 200, grpcStatus: 12 },
    },
    {
      name: 'wrong content type',
      request: {
        method: 'POST',
        path: GET_USER_PATH,
        headers: { 'content-type': 'application/json' },
        body: '{}',
      },
      expect: { status: 415 },
    },
    {
      name: 'unknown method',
      request: { method: 'POST', path: rpcPath('NoSuchMethod'), headers: GRPC_WEB, body: framed(GET_USER) },
      expect: { status: 404 },
    },
    {
      name: 'wrong verb (GET)',
      request: { method: 'GET', path: GET_USER_PATH, headers: GRPC_WEB },
      expect: { status: 405 },
    },
    ...oversizeFramedCases(GET_USER_PATH, GRPC_WEB),
  ],
};
