import { type DescEnum, fromJson, toJson } from '@bufbuild/protobuf';
import { type Timestamp, TimestampSchema } from '@bufbuild/protobuf/wkt';
import { GraphQLError, GraphQLScalarType, Kind, type ValueNode } from 'graphql';
import { ReactionKindSchema, RoleSchema, VisibilitySchema } from '../../schemas/gen/wirebench/v1/feed_pb.js';

/**
 * The three custom scalars of the SDL, each serialized exactly as protobuf
 * JSON writes the same proto type — so a GraphQL response is, value for
 * value, what the proto-JSON codec would produce, and the client can decode
 * it with `fromJson`.
 */

/** google.protobuf.Timestamp ⇄ RFC 3339 (`2026-01-01T00:00:00.123Z`), via protobuf-es's own JSON mapping. */
export const DateTimeScalar = new GraphQLScalarType<Timestamp, string>({
  name: 'DateTime',
  serialize: (value) => toJson(TimestampSchema, value as Timestamp) as string,
  parseValue: (value) => parseTimestamp(value),
  parseLiteral: (node) => parseTimestamp(literalString(node, 'DateTime')),
});

/** int64 ⇄ decimal string: JSON numbers lose precision beyond 2^53. Inputs may also be safe integers. */
export const Int64Scalar = new GraphQLScalarType<bigint, string>({
  name: 'Int64',
  serialize: (value) => String(value as bigint),
  parseValue: (value) => parseInt64(value),
  parseLiteral: (node) => parseInt64(node.kind === Kind.INT ? node.value : literalString(node, 'Int64')),
});

/** bytes ⇄ standard base64, as protobuf JSON encodes them. */
export const BytesScalar = new GraphQLScalarType<Uint8Array, string>({
  name: 'Bytes',
  serialize: (value) => Buffer.from(value as Uint8Array).toString('base64'),
  parseValue: (value) => parseBytes(value),
  parseLiteral: (node) => parseBytes(literalString(node, 'Bytes')),
});

/**
 * GraphQL enum value → proto enum number, for graphql-tools' enum resolvers:
 * the SDL names values without their proto prefix (`ROLE_MEMBER` → `MEMBER`),
 * which is exactly protobuf-es's `localName`. Resolvers then see and return
 * the proto numbers, no per-field mapping.
 */
export function enumValues(desc: DescEnum): Record<string, number> {
  return Object.fromEntries(desc.values.map((v) => [v.localName, v.number]));
}

export const ENUM_RESOLVERS = {
  Role: enumValues(RoleSchema),
  Visibility: enumValues(VisibilitySchema),
  ReactionKind: enumValues(ReactionKindSchema),
};

function literalString(node: ValueNode, scalar: string): string {
  if (node.kind !== Kind.STRING)
    throw new GraphQLError(`${scalar}: expected a string literal, got ${node.kind}`);
  return node.value;
}

function parseTimestamp(value: unknown): Timestamp {
  try {
    return fromJson(TimestampSchema, value as string);
  } catch {
    throw new GraphQLError(`DateTime: expected an RFC 3339 string, got ${JSON.stringify(value)}`);
  }
}

function parseInt64(value: unknown): bigint {
  const ok = (typeof value === 'string' && /^-?\d+$/.test(value)) || Number.isSafeInteger(value);
  if (!ok) throw new GraphQLError(`Int64: expected a decimal string, got ${JSON.stringify(value)}`);
  return BigInt(value as string | number);
}

function parseBytes(value: unknown): Uint8Array {
  if (typeof value !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(value)) {
    throw new GraphQLError(`Bytes: expected a base64 string, got ${JSON.stringify(value)}`);
  }
  return new Uint8Array(Buffer.from(value, 'base64'));
}
