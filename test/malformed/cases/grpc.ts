import { FeedService } from '../../../schemas/gen/wirebench/v1/feed_pb.js';
import { envelope, framed, GET_USER, oversizeFramedCases, rpcPath, TRUNCATED_PROTOBUF } from './rpc.js';
import type { ProtocolCases } from './types.js';

const GET_USER_PATH = rpcPath(FeedService.method.getUser.name);
const GRPC = { 'content-type': 'application/grpc', te: 'trailers' };
/** gRPC over h3 is served by connect-es (grpc-js has no HTTP/3). */
const CONNECT_ES_PARSE =
  'connect-es (gRPC over h3) reports a binary parse failure as INTERNAL, as grpc-go and grpc-java do';

/**
 * gRPC: a call that reaches the server's router answers HTTP 200 with the
 * `grpc-status` in trailers (or in the headers of a trailers-only response);
 * only a non-gRPC content type is refused at the HTTP level (415, as the
 * gRPC-over-HTTP/2 spec asks). `expect` is grpc-js (h2c, h2); `expectOn` h3
 * is connect-es, which answers three of these cases differently.
 */
export const GRPC_CASES: ProtocolCases = {
  wellFormed: {
    name: 'unary GetUser',
    request: { method: 'POST', path: GET_USER_PATH, headers: GRPC, body: framed(GET_USER) },
    expect: { status: 200, grpcStatus: 0 },
  },
  cases: [
    {
      // grpc-go and grpc-java say INTERNAL here; this adapter decodes in its handlers and says
      // INVALID_ARGUMENT on purpose, like every other protocol (services/grpc/service-definition.ts).
      name: 'truncated protobuf',
      request: { method: 'POST', path: GET_USER_PATH, headers: GRPC, body: framed(TRUNCATED_PROTOBUF) },
      expect: { status: 200, grpcStatus: 3 },
      expectOn: [{ transports: ['h3'], expect: { status: 200, grpcStatus: 13 }, reason: CONNECT_ES_PARSE }],
    },
    {
      // grpc-js drops the incomplete message at end of stream and answers "Received no request
      // message" with UNIMPLEMENTED — its wording and code, not the adapter's.
      name: 'envelope length larger than the data',
      request: {
        method: 'POST',
        path: GET_USER_PATH,
        headers: GRPC,
        body: envelope(0, 10, Uint8Array.of(1, 2)),
      },
      expect: { status: 200, grpcStatus: 12 },
      expectOn: [
        {
          transports: ['h3'],
          expect: { status: 200, grpcStatus: 3 },
          reason: 'connect-es reads the cut-off envelope as a protocol error: INVALID_ARGUMENT',
        },
      ],
    },
    {
      name: 'two messages to a unary method',
      request: {
        method: 'POST',
        path: GET_USER_PATH,
        headers: GRPC,
        body: [framed(GET_USER), framed(GET_USER)],
      },
      expect: { status: 200, grpcStatus: 12 },
    },
    {
      name: 'unknown method',
      request: { method: 'POST', path: rpcPath('NoSuchMethod'), headers: GRPC, body: framed(GET_USER) },
      expect: { status: 200, grpcStatus: 12 },
      expectOn: [
        {
          transports: ['h3'],
          expect: { status: 404 },
          reason:
            "connect-es' router answers an unknown path with HTTP 404 for every protocol; gRPC clients read it as UNIMPLEMENTED (gRPC's HTTP-to-status mapping)",
        },
      ],
    },
    {
      name: 'wrong content type',
      request: {
        method: 'POST',
        path: GET_USER_PATH,
        headers: { ...GRPC, 'content-type': 'application/json' },
        body: '{}',
      },
      expect: { status: 415 },
    },
    ...oversizeFramedCases(GET_USER_PATH, GRPC),
  ],
};
