import {
  create,
  type DescEnum,
  type DescField,
  type DescMessage,
  fromJson,
  type JsonObject,
  type JsonValue,
  type MessageShape,
  ScalarType,
  toJson,
} from '@bufbuild/protobuf';

/**
 * The GraphQL response for a protobuf message, as a GraphQL server built from
 * schemas/graphql/schema.graphql would send it for a query that selects every
 * proto-mirrored field. Driven by the message descriptors alone (no code per
 * message), following the SDL's mapping rules:
 *
 * - field names: the proto JSON names (`display_name` → `displayName`);
 * - enums: the value without its shared prefix (`ROLE_MEMBER` → `MEMBER`, protobuf-es's `localName`);
 * - int64 → decimal string (`Int64`), bytes → standard base64 (`Bytes`);
 * - well-known types (`google.protobuf.Timestamp` → `DateTime`) → their protobuf JSON form (RFC 3339);
 * - proto3 `optional`, unset messages and unselected oneof members → `null`
 *   (unlike protobuf JSON, GraphQL names every selected field), lists → arrays, never null.
 *
 * Written by hand because no library maps protobuf descriptors onto a GraphQL
 * response; services/graphql/scalars.ts serializes the scalars the same way.
 */

/** Where the message sits in the response: `{"data":{<field>: …}}`, the root field of the equivalent query. */
export interface GraphqlRoot {
  /** The Query field, e.g. `post`. */
  readonly field: string;
  /**
   * When the root field returns one field of the message rather than the
   * message itself (`authorDigests: [AuthorDigest!]!` is
   * `GetAuthorDigestsResponse.digests`), that field's protobuf-es local name.
   */
  readonly unwrap?: string;
}

export interface GraphqlResponse {
  readonly data: Record<string, JsonValue>;
}

type Fields = Record<string, unknown>;

/** The response body for `message` (encode side: then `JSON.stringify`). */
export function toGraphqlResponse(
  schema: DescMessage,
  message: MessageShape<DescMessage>,
  root: GraphqlRoot,
): GraphqlResponse {
  if (root.unwrap === undefined) return { data: { [root.field]: toGraphqlObject(schema, message) } };
  const field = unwrapField(schema, root.unwrap);
  return { data: { [root.field]: fieldToGraphql(field, (message as Fields)[field.localName]) } };
}

/** The message back from a parsed response body (decode side, after `JSON.parse`). */
export function fromGraphqlResponse<Desc extends DescMessage>(
  schema: Desc,
  response: unknown,
  root: GraphqlRoot,
): MessageShape<Desc> {
  const data = isObject(response) ? response.data : undefined;
  const value = isObject(data) ? data[root.field] : undefined;
  if (value === undefined) {
    throw new Error(`GraphQL response: expected data.${root.field}, got ${preview(response)}`);
  }
  if (root.unwrap === undefined) return fromGraphqlObject(schema, value);
  const field = unwrapField(schema, root.unwrap);
  const message = create(schema);
  setField(message as Fields, field, value);
  return message;
}

/** One message as a GraphQL object: every field of the descriptor, in declaration order. */
export function toGraphqlObject(schema: DescMessage, message: MessageShape<DescMessage>): JsonObject {
  const source = message as unknown as Fields;
  const out: JsonObject = {};
  for (const field of schema.fields) {
    // A oneof member's value lives under the oneof as { case, value }.
    let value: unknown;
    if (field.oneof) {
      const chosen = source[field.oneof.localName] as { case?: string; value?: unknown } | undefined;
      value = chosen?.case === field.localName ? chosen.value : undefined;
    } else {
      value = source[field.localName];
    }
    out[field.jsonName] = fieldToGraphql(field, value);
  }
  return out;
}

/** The inverse of {@link toGraphqlObject}; `null` leaves the field unset. */
export function fromGraphqlObject<Desc extends DescMessage>(
  schema: Desc,
  value: unknown,
): MessageShape<Desc> {
  if (!isObject(value)) throw new Error(`${schema.typeName}: expected an object, got ${preview(value)}`);
  const message = create(schema);
  for (const field of schema.fields) {
    const v = value[field.jsonName];
    if (v === null || v === undefined) continue;
    setField(message as Fields, field, v);
  }
  return message;
}

function fieldToGraphql(field: DescField, value: unknown): JsonValue {
  switch (field.fieldKind) {
    case 'list':
      return (value as unknown[]).map((item) => singularToGraphql(field, item));
    case 'map':
      throw new Error(`${field.toString()}: map fields have no GraphQL mapping in the SDL`);
    default:
      return value === undefined ? null : singularToGraphql(field, value);
  }
}

function setField(message: Fields, field: DescField, value: unknown): void {
  let converted: unknown;
  if (field.fieldKind === 'list') {
    if (!Array.isArray(value)) throw new Error(`${field.toString()}: expected a list, got ${preview(value)}`);
    converted = value.map((item) => singularFromGraphql(field, item));
  } else if (field.fieldKind === 'map') {
    throw new Error(`${field.toString()}: map fields have no GraphQL mapping in the SDL`);
  } else {
    converted = singularFromGraphql(field, value);
  }
  if (field.oneof) message[field.oneof.localName] = { case: field.localName, value: converted };
  else message[field.localName] = converted;
}

/** One value of a singular field, or one element of a list field (whose descriptor describes its elements). */
function singularToGraphql(field: DescField, value: unknown): JsonValue {
  if (field.message) {
    return isWellKnown(field.message)
      ? toJson(field.message, value as MessageShape<DescMessage>)
      : toGraphqlObject(field.message, value as MessageShape<DescMessage>);
  }
  if (field.enum) {
    const name = enumNames(field.enum).byNumber.get(value as number);
    if (name === undefined) {
      throw new Error(`${field.toString()}: expected a known ${field.enum.name} value, got ${String(value)}`);
    }
    return name;
  }
  switch (field.scalar) {
    case ScalarType.INT64:
    case ScalarType.UINT64:
    case ScalarType.SINT64:
    case ScalarType.FIXED64:
    case ScalarType.SFIXED64:
      return String(value);
    case ScalarType.BYTES: {
      const bytes = value as Uint8Array;
      return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
    }
    case ScalarType.DOUBLE:
    case ScalarType.FLOAT:
      if (!Number.isFinite(value)) {
        throw new Error(
          `${field.toString()}: expected a finite number (GraphQL Float), got ${String(value)}`,
        );
      }
      return value as number;
    default:
      return value as string | number | boolean;
  }
}

function singularFromGraphql(field: DescField, value: unknown): unknown {
  if (field.message) {
    return isWellKnown(field.message)
      ? fromJson(field.message, value as JsonValue)
      : fromGraphqlObject(field.message, value);
  }
  if (field.enum) {
    const number = enumNames(field.enum).byName.get(value as string);
    if (number === undefined) {
      throw new Error(`${field.toString()}: expected a ${field.enum.name} value name, got ${preview(value)}`);
    }
    return number;
  }
  const expect = (ok: boolean, what: string) => {
    if (!ok) throw new Error(`${field.toString()}: expected ${what}, got ${preview(value)}`);
  };
  switch (field.scalar) {
    case ScalarType.INT64:
    case ScalarType.UINT64:
    case ScalarType.SINT64:
    case ScalarType.FIXED64:
    case ScalarType.SFIXED64:
      expect(typeof value === 'string' && /^-?\d+$/.test(value), 'a decimal string (Int64)');
      return 'longAsString' in field && field.longAsString ? value : BigInt(value as string);
    case ScalarType.BYTES:
      expect(typeof value === 'string', 'a base64 string (Bytes)');
      return new Uint8Array(Buffer.from(value as string, 'base64'));
    case ScalarType.STRING:
      expect(typeof value === 'string', 'a string');
      return value;
    case ScalarType.BOOL:
      expect(typeof value === 'boolean', 'a boolean');
      return value;
    default:
      expect(typeof value === 'number', 'a number');
      return value;
  }
}

/** google.protobuf.* messages have their own JSON form, which the SDL's scalars (DateTime) adopt. */
function isWellKnown(schema: DescMessage): boolean {
  return schema.typeName.startsWith('google.protobuf.');
}

const enumCache = new WeakMap<DescEnum, { byNumber: Map<number, string>; byName: Map<string, number> }>();

/** GraphQL value names of a proto enum (its `localName`s, the prefix dropped), both ways; built once per enum. */
function enumNames(desc: DescEnum) {
  let names = enumCache.get(desc);
  if (!names) {
    names = {
      byNumber: new Map(desc.values.map((v) => [v.number, v.localName])),
      byName: new Map(desc.values.map((v) => [v.localName, v.number])),
    };
    enumCache.set(desc, names);
  }
  return names;
}

function unwrapField(schema: DescMessage, localName: string): DescField {
  const field = schema.field[localName];
  if (!field) throw new Error(`${schema.typeName}: expected a field "${localName}" to unwrap, got none`);
  return field;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function preview(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}
