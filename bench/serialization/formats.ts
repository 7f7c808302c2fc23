import {
  type DescMessage,
  fromBinary,
  fromJson,
  fromJsonString,
  type JsonValue,
  type MessageShape,
  toBinary,
  toJson,
  toJsonString,
} from '@bufbuild/protobuf';
import type { SerializationRecord } from '../results/schema.js';
import { fromGraphqlResponse, toGraphqlResponse } from './graphql-shape.js';
import type { SampleMessage } from './messages.js';

export type FormatName = SerializationRecord['format'];
export const FORMAT_NAMES: readonly FormatName[] = ['json', 'proto', 'proto-json', 'graphql'];

type Message = MessageShape<DescMessage>;

/**
 * Encoder and decoder of one sample's message type. Both sides work on bytes
 * (UTF-8 for the text formats), as they meet the socket: a text format's
 * encode includes `Buffer.from(string)` and its decode the UTF-8 decoding, so
 * their times compare with protobuf's bytes-to-bytes codec.
 */
export interface Codec {
  encode(message: Message): Uint8Array;
  decode(bytes: Uint8Array): Message;
}

/** One wire format: how a domain message becomes bytes and back, as the protocols using it do it. */
export interface Format {
  readonly name: FormatName;
  readonly description: string;
  codec(sample: SampleMessage): Codec;
}

const utf8 = (text: string): Uint8Array => Buffer.from(text, 'utf8');
const text = (bytes: Uint8Array): string =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');

/** The four shapes the protocols put on the wire, in {@link FORMAT_NAMES} order. */
export const FORMATS: readonly Format[] = [
  {
    name: 'json',
    description: 'REST: protobuf JSON with every field emitted (alwaysEmitImplicit)',
    codec: ({ schema }) => ({
      encode: (m) => utf8(JSON.stringify(toJson(schema, m, { alwaysEmitImplicit: true }))),
      decode: (b) => fromJson(schema, JSON.parse(text(b)) as JsonValue),
    }),
  },
  {
    name: 'proto',
    description: 'protobuf binary (gRPC, gRPC-Web, Connect proto)',
    codec: ({ schema }) => ({
      encode: (m) => toBinary(schema, m),
      decode: (b) => fromBinary(schema, b),
    }),
  },
  {
    name: 'proto-json',
    description: 'canonical protobuf JSON, zero values omitted (Connect JSON)',
    codec: ({ schema }) => ({
      encode: (m) => utf8(toJsonString(schema, m)),
      decode: (b) => fromJsonString(schema, text(b)),
    }),
  },
  {
    name: 'graphql',
    description: 'GraphQL response {"data":{<root>:…}} with the SDL field set and scalars',
    codec: ({ schema, graphql }) => ({
      encode: (m) => utf8(JSON.stringify(toGraphqlResponse(schema, m, graphql))),
      decode: (b) => fromGraphqlResponse(schema, JSON.parse(text(b)), graphql),
    }),
  },
];
