import {
  type DescEnum,
  type DescField,
  type DescMessage,
  fromJson,
  type JsonObject,
  type JsonValue,
  type MessageShape,
  toJson,
} from '@bufbuild/protobuf';
import { type Timestamp, TimestampSchema } from '@bufbuild/protobuf/wkt';
import { ClientError } from '../errors.js';

/**
 * Proto messages ⇄ GraphQL JSON, driven by the descriptors. The SDL mirrors
 * the proto field by field with proto-JSON scalars (Int64 as a decimal
 * string, Bytes as base64, DateTime as RFC 3339), so the only differences
 * are enum values (`MEMBER` vs `ROLE_MEMBER`), nulls for absent optionals
 * and graph edges that are not proto fields. Decoding rewrites those and
 * hands the rest to protobuf-es's `fromJson`, which checks every value.
 */

const TIMESTAMP = 'google.protobuf.Timestamp';

/** A GraphQL result object → the proto message (extra fields such as graph edges are dropped). */
export function decodeMessage<D extends DescMessage>(desc: D, value: unknown, what: string): MessageShape<D> {
  try {
    return fromJson(desc, toProtoJson(desc, value));
  } catch (error) {
    throw new ClientError(
      'INTERNAL',
      `graphql: expected ${what} to decode as ${desc.typeName}, got ${(error as Error).message}`,
    );
  }
}

function toProtoJson(desc: DescMessage, value: unknown): JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`expected an object, got ${JSON.stringify(value)}`);
  }
  const source = value as Record<string, unknown>;
  const out: JsonObject = {};
  for (const field of desc.fields) {
    const v = source[field.jsonName];
    if (v === null || v === undefined) continue;
    out[field.jsonName] =
      field.fieldKind === 'list'
        ? (asArray(v) as unknown[]).map((e) => toProtoValue(field, e))
        : toProtoValue(field, v);
  }
  return out;
}

function toProtoValue(field: DescField, value: unknown): JsonValue {
  const element = elementOf(field);
  if (element.kind === 'enum') return `${element.desc.sharedPrefix?.toUpperCase() ?? ''}${String(value)}`;
  if (element.kind === 'message' && element.desc.typeName !== TIMESTAMP)
    return toProtoJson(element.desc, value);
  return value as JsonValue;
}

type Element =
  | { readonly kind: 'enum'; readonly desc: DescEnum }
  | { readonly kind: 'message'; readonly desc: DescMessage }
  | { readonly kind: 'scalar' };

/** What one value of a field is: the list element for repeated fields (maps are not in the contract). */
function elementOf(field: DescField): Element {
  if (field.fieldKind === 'enum') return { kind: 'enum', desc: field.enum };
  if (field.fieldKind === 'message') return { kind: 'message', desc: field.message };
  if (field.fieldKind === 'list' && field.listKind === 'enum') return { kind: 'enum', desc: field.enum };
  if (field.fieldKind === 'list' && field.listKind === 'message')
    return { kind: 'message', desc: field.message };
  return { kind: 'scalar' };
}

/**
 * A proto message → GraphQL input/argument JSON: field names are the JSON
 * names (the SDL's argument and input field names), enums their prefix-less
 * names, int64 a decimal string, bytes base64. Every field is sent, so the
 * server sees the proto zero values rather than GraphQL defaults.
 */
export function encodeMessage(desc: DescMessage, message: object): Record<string, unknown> {
  const source = message as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const field of desc.fields) {
    const v = source[field.localName];
    if (v === undefined) {
      out[field.jsonName] = null;
      continue;
    }
    out[field.jsonName] =
      field.fieldKind === 'list' ? (v as unknown[]).map((e) => encodeValue(field, e)) : encodeValue(field, v);
  }
  return out;
}

function encodeValue(field: DescField, value: unknown): unknown {
  const element = elementOf(field);
  if (element.kind === 'enum') return element.desc.values.find((v) => v.number === value)?.localName ?? value;
  if (element.kind === 'message' && element.desc.typeName === TIMESTAMP) {
    return toJson(TimestampSchema, value as Timestamp);
  }
  if (element.kind === 'message') return encodeMessage(element.desc, value as object);
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  return value;
}

function asArray(value: unknown): unknown[] {
  if (!Array.isArray(value)) throw new Error(`expected a list, got ${JSON.stringify(value)}`);
  return value;
}
