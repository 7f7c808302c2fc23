import {
  type DescMessage,
  fromBinary,
  fromJson,
  fromJsonString,
  type JsonObject,
  type JsonValue,
  type MessageShape,
  toBinary,
  toJson,
  toJsonString,
} from '@bufbuild/protobuf';
import type { SerializationRecord } from '../results/schema.js';

export type FormatName = SerializationRecord['format'];

/** One wire format: how a domain message becomes bytes and back, as the protocol using it does it. */
export interface Format {
  readonly name: FormatName;
  readonly description: string;
  encode(schema: DescMessage, message: MessageShape<DescMessage>): Uint8Array | string;
  decode(schema: DescMessage, data: Uint8Array | string): MessageShape<DescMessage>;
}

const text = (data: Uint8Array | string): string =>
  typeof data === 'string' ? data : Buffer.from(data).toString();

/**
 * The four shapes the protocols put on the wire. `json` is the REST shape
 * (protobuf JSON with every field emitted, as the REST adapter sends it);
 * `proto-json` is canonical protobuf JSON (zero values omitted, as Connect's
 * JSON codec sends it); `graphql` wraps the object in `{"data":{…}}` with the
 * SDL's conventions (enum values without their prefix, unset fields null).
 */
export const FORMATS: readonly Format[] = [
  {
    name: 'json',
    description: 'REST: protobuf JSON, every field emitted',
    encode: (schema, m) => JSON.stringify(toJson(schema, m, { alwaysEmitImplicit: true })),
    decode: (schema, data) => fromJson(schema, JSON.parse(text(data)) as JsonValue),
  },
  {
    name: 'proto',
    description: 'protobuf binary (gRPC, Connect proto, gRPC-Web)',
    encode: (schema, m) => toBinary(schema, m),
    decode: (schema, data) => fromBinary(schema, typeof data === 'string' ? Buffer.from(data) : data),
  },
  {
    name: 'proto-json',
    description: 'canonical protobuf JSON, zero values omitted (Connect JSON)',
    encode: (schema, m) => toJsonString(schema, m),
    decode: (schema, data) => fromJsonString(schema, text(data)),
  },
  {
    name: 'graphql',
    description: 'GraphQL response: {"data":{…}}, enum values unprefixed, unset fields null',
    encode: (schema, m) =>
      JSON.stringify({
        data: {
          result: toGraphqlShape(schema, toJson(schema, m, { alwaysEmitImplicit: true }) as JsonObject),
        },
      }),
    decode: (schema, data) => {
      const parsed = JSON.parse(text(data)) as { data: { result: JsonObject } };
      return fromJson(schema, fromGraphqlShape(schema, parsed.data.result));
    },
  },
];

/** The prefix protobuf enum values share (`VISIBILITY_` of `VISIBILITY_PUBLIC`), which GraphQL enums drop. */
function enumPrefix(values: readonly { name: string }[]): string {
  const first = values[0]?.name ?? '';
  const cut = first.indexOf('_');
  return cut < 0 ? '' : first.slice(0, cut + 1);
}

/**
 * Protobuf JSON → the GraphQL response shape, driven by the message
 * descriptor (no per-message code): enum values lose their prefix, fields the
 * JSON left out (unset optional, unset message) become null. Written by hand
 * because no library maps protobuf descriptors onto a GraphQL response.
 */
export function toGraphqlShape(schema: DescMessage, json: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const field of schema.fields) {
    const value = json[field.jsonName];
    if (value === undefined || value === null) {
      out[field.jsonName] = field.fieldKind === 'list' ? [] : null;
      continue;
    }
    out[field.jsonName] = mapValue(
      field,
      value,
      (s, v) => toGraphqlShape(s, v),
      (prefix, v) => v.slice(prefix.length),
    );
  }
  return out;
}

/** The inverse of {@link toGraphqlShape}: nulls dropped, enum prefixes restored. */
export function fromGraphqlShape(schema: DescMessage, json: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const field of schema.fields) {
    const value = json[field.jsonName];
    if (value === undefined || value === null) continue;
    out[field.jsonName] = mapValue(
      field,
      value,
      (s, v) => fromGraphqlShape(s, v),
      (prefix, v) => prefix + v,
    );
  }
  return out;
}

type Field = DescMessage['fields'][number];

function mapValue(
  field: Field,
  value: JsonValue,
  message: (schema: DescMessage, v: JsonObject) => JsonObject,
  enumValue: (prefix: string, v: string) => string,
): JsonValue {
  const one = (v: JsonValue): JsonValue => {
    if (field.fieldKind === 'enum' || (field.fieldKind === 'list' && field.listKind === 'enum')) {
      return typeof v === 'string' ? enumValue(enumPrefix(field.enum?.values ?? []), v) : v;
    }
    const sub =
      field.fieldKind === 'message' || (field.fieldKind === 'list' && field.listKind === 'message')
        ? field.message
        : undefined;
    // Well-known types (Timestamp) already have their GraphQL scalar form in protobuf JSON.
    if (
      sub &&
      !sub.typeName.startsWith('google.protobuf.') &&
      typeof v === 'object' &&
      v !== null &&
      !Array.isArray(v)
    ) {
      return message(sub, v);
    }
    return v;
  };
  return field.fieldKind === 'list' && Array.isArray(value) ? value.map(one) : one(value);
}
