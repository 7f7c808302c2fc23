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
const type = (contentType: string) => ({ 'content-type': contentType });

/**
 * Connect push (connect-es, TopicService): unary Publish errors are an HTTP
 * status with `{code}`, Subscribe stream errors the end-stream frame's
 * `error.code` — as for FeedService (../connect.ts), binary parse failures
 * included (internal).
 */
export const CONNECT_PUSH_CASES: RealtimeCases = {
  http: [
    {
      name: 'bad publish JSON',
      request: { method: 'POST', path: PUBLISH, headers: type('application/json'), body: '{"topic":' },
      expect: { status: 400, connectCode: 'invalid_argument' },
    },
    {
      name: 'truncated protobuf in a publish',
      request: {
        method: 'POST',
        path: PUBLISH,
        headers: type('application/proto'),
        body: TRUNCATED_PROTOBUF,
      },
      expect: { status: 500, connectCode: 'internal' },
    },
    {
      name: 'a publish without a payload',
      request: { method: 'POST', path: PUBLISH, headers: type('application/proto'), body: PUBLISH_NOTHING },
      expect: { status: 400, connectCode: 'invalid_argument' },
    },
    {
      name: `an oversize publish (${OVERSIZE} > ${MAX_BODY_BYTES})`,
      request: {
        method: 'POST',
        path: PUBLISH,
        headers: type('application/proto'),
        body: publishBytes('malformed', 'x'.repeat(OVERSIZE)),
      },
      expect: { status: 429, connectCode: 'resource_exhausted' },
    },
    {
      name: 'a subscribe to an empty topic',
      request: {
        method: 'POST',
        path: SUBSCRIBE,
        headers: type('application/connect+proto'),
        body: framed(subscribeBytes('')),
      },
      expect: { status: 200, connectCode: 'invalid_argument' },
    },
    {
      name: 'a subscribe whose envelope is longer than its data',
      request: {
        method: 'POST',
        path: SUBSCRIBE,
        headers: type('application/connect+proto'),
        body: envelope(0, 10, Uint8Array.of(1, 2)),
      },
      expect: { status: 200, connectCode: 'invalid_argument' },
    },
    {
      name: 'a subscribe with truncated protobuf',
      request: {
        method: 'POST',
        path: SUBSCRIBE,
        headers: type('application/connect+proto'),
        body: framed(TRUNCATED_PROTOBUF),
      },
      expect: { status: 200, connectCode: 'internal' },
    },
    {
      name: 'unknown method',
      request: {
        method: 'POST',
        path: topicPath('Unsubscribe'),
        headers: type('application/json'),
        body: '{}',
      },
      expect: { status: 404 },
    },
    {
      name: 'wrong content type',
      request: { method: 'POST', path: PUBLISH, headers: type('text/plain'), body: '{}' },
      expect: { status: 415 },
    },
  ],
};
