import { TopicService } from '../../../../schemas/gen/wirebench/v1/feed_pb.js';
import {
  envelope,
  framed,
  PUBLISH_NOTHING,
  publishBytes,
  subscribeBytes,
  TRUNCATED_PROTOBUF,
  topicPath,
} from '../rpc.js';
import { MAX_BODY_BYTES, OVERSIZE, type RealtimeCases } from '../types.js';

const M = TopicService.method;
const PUBLISH = topicPath(M.publish.name);
const SUBSCRIBE = topicPath(M.subscribe.name);
const GRPC = { 'content-type': 'application/grpc', te: 'trailers' };

/**
 * gRPC push (grpc-js, TopicService): refusals are a grpc-status in a
 * trailers-only 200, as for FeedService (../grpc.ts): decode failures and
 * bad topics INVALID_ARGUMENT, oversize RESOURCE_EXHAUSTED, unknown methods
 * UNIMPLEMENTED; a non-gRPC content type is a 415.
 */
export const GRPC_PUSH_CASES: RealtimeCases = {
  http: [
    {
      name: 'truncated protobuf in a publish',
      request: { method: 'POST', path: PUBLISH, headers: GRPC, body: framed(TRUNCATED_PROTOBUF) },
      expect: { status: 200, grpcStatus: 3 },
    },
    {
      name: 'a publish without a payload',
      request: { method: 'POST', path: PUBLISH, headers: GRPC, body: framed(PUBLISH_NOTHING) },
      expect: { status: 200, grpcStatus: 3 },
    },
    {
      name: `an oversize publish (${OVERSIZE} > ${MAX_BODY_BYTES})`,
      request: {
        method: 'POST',
        path: PUBLISH,
        headers: GRPC,
        body: framed(publishBytes('malformed', 'x'.repeat(OVERSIZE))),
      },
      expect: { status: 200, grpcStatus: 8 },
    },
    {
      name: 'a subscribe to an empty topic',
      request: { method: 'POST', path: SUBSCRIBE, headers: GRPC, body: framed(subscribeBytes('')) },
      expect: { status: 200, grpcStatus: 3 },
    },
    {
      name: 'a subscribe to a topic over 200 characters',
      request: {
        method: 'POST',
        path: SUBSCRIBE,
        headers: GRPC,
        body: framed(subscribeBytes('t'.repeat(201))),
      },
      expect: { status: 200, grpcStatus: 3 },
    },
    {
      // As on FeedService: grpc-js drops the incomplete message at end of stream, UNIMPLEMENTED.
      name: 'a subscribe whose envelope is longer than its data',
      request: { method: 'POST', path: SUBSCRIBE, headers: GRPC, body: envelope(0, 10, Uint8Array.of(1, 2)) },
      expect: { status: 200, grpcStatus: 12 },
    },
    {
      name: 'unknown method',
      request: {
        method: 'POST',
        path: topicPath('Unsubscribe'),
        headers: GRPC,
        body: framed(subscribeBytes('t')),
      },
      expect: { status: 200, grpcStatus: 12 },
    },
    {
      name: 'wrong content type',
      request: {
        method: 'POST',
        path: PUBLISH,
        headers: { ...GRPC, 'content-type': 'application/json' },
        body: '{}',
      },
      expect: { status: 415 },
    },
  ],
};
