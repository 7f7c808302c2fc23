import { create, toBinary } from '@bufbuild/protobuf';
import {
  CreatePostRequestSchema,
  FeedService,
  GetUserRequestSchema,
  PublishRequestSchema,
  SubscribeRequestSchema,
  TopicService,
} from '../../../schemas/gen/wirebench/v1/feed_pb.js';
import { MAX_BODY_BYTES, type MalformedCase, OVERSIZE } from './types.js';

/** Bytes shared by the RPC protocols' cases (gRPC, gRPC-Web, Connect): paths, messages, envelopes. */

/** The 5-byte envelope of gRPC, gRPC-Web and Connect streaming: flags, big-endian length, then `payload`. */
export function envelope(flags: number, declaredLength: number, payload: Uint8Array): Buffer {
  const head = Buffer.alloc(5);
  head.writeUInt8(flags, 0);
  head.writeUInt32BE(declaredLength, 1);
  return Buffer.concat([head, payload]);
}

/** A well-formed envelope around `payload`. */
export function framed(payload: Uint8Array, flags = 0): Buffer {
  return envelope(flags, payload.length, payload);
}

/** Protobuf that ends mid-field: field 1 (string) declares 5 bytes, one follows. */
export const TRUNCATED_PROTOBUF = Uint8Array.of(0x0a, 5, 0x61);

/** The path of a FeedService method on the RPC protocols (gRPC, gRPC-Web, Connect). */
export const RPC_PREFIX = `/${FeedService.typeName}/`;

/** `/wirebench.v1.FeedService/<method>`. */
export const rpcPath = (method: string): string => `${RPC_PREFIX}${method}`;

/** GetUserRequest{id: u000001} in binary: the well-formed unary call. */
export const GET_USER = toBinary(GetUserRequestSchema, create(GetUserRequestSchema, { id: 'u000001' }));

/** The same in protobuf JSON. */
export const GET_USER_JSON = JSON.stringify({ id: 'u000001' });

/** A GetUserRequest whose id alone is over the body limit. */
export const OVERSIZE_GET_USER = toBinary(
  GetUserRequestSchema,
  create(GetUserRequestSchema, { id: 'x'.repeat(OVERSIZE) }),
);

/** One CreatePostRequest in binary, for client-streaming uploads. */
export const CREATE_POST = toBinary(
  CreatePostRequestSchema,
  create(CreatePostRequestSchema, { authorId: 'u000001', title: 'malformed-suite', body: 'x' }),
);

/** `/wirebench.v1.TopicService/<method>`: the push surface of gRPC and Connect. */
export const topicPath = (method: string): string => `/${TopicService.typeName}/${method}`;

/** PublishRequest of a small post to `topic` in binary. */
export function publishBytes(topic: string, title = 'malformed-suite'): Uint8Array {
  return toBinary(
    PublishRequestSchema,
    create(PublishRequestSchema, { topic, payload: { case: 'post', value: { id: 'p1', title } } }),
  );
}

/** A PublishRequest without a payload: decodes, but the core refuses it. */
export const PUBLISH_NOTHING = toBinary(
  PublishRequestSchema,
  create(PublishRequestSchema, { topic: 'malformed' }),
);

/** SubscribeRequest in binary. */
export function subscribeBytes(topic: string): Uint8Array {
  return toBinary(SubscribeRequestSchema, create(SubscribeRequestSchema, { topic }));
}

/**
 * An oversize message in a gRPC or gRPC-Web envelope, sent whole (with
 * content-length) and in chunks (without): both are RESOURCE_EXHAUSTED (8).
 */
export function oversizeFramedCases(
  path: string,
  headers: Readonly<Record<string, string>>,
): MalformedCase[] {
  const body = framed(OVERSIZE_GET_USER);
  const expect = { status: 200, grpcStatus: 8 };
  return [
    {
      name: `oversize message (${OVERSIZE} > ${MAX_BODY_BYTES})`,
      request: { method: 'POST', path, headers, body },
      expect,
    },
    {
      name: 'oversize message (chunks, no content-length)',
      request: { method: 'POST', path, headers, body: [body.subarray(0, 100), body.subarray(100)] },
      expect,
    },
  ];
}
