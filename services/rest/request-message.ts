import {
  type DescField,
  type DescMessage,
  fromJson,
  type JsonValue,
  type MessageShape,
  mergeFromJson,
  ScalarType,
} from '@bufbuild/protobuf';
import { HttpError } from './errors.js';
import type { CompiledRoute } from './routes.js';

/**
 * Builds a GET request message from path segments and query parameters.
 * URL text is first typed by each field's descriptor (strictly: `12abc` is
 * not an int32), then handed to `fromJson`, so the URL and the JSON body
 * paths share one set of protobuf rules.
 */
export function messageFromUrl<Desc extends DescMessage>(
  schema: Desc,
  compiled: CompiledRoute,
  segments: readonly string[],
  search: URLSearchParams,
): MessageShape<Desc> {
  const json: Record<string, JsonValue> = {};
  // 1. Path segments: one value each, URL-decoded.
  compiled.pathFields.forEach((field, i) => {
    const where = `path {${field.jsonName}}`;
    json[field.jsonName] = urlValue(field, decodeSegment(segments[i] ?? '', where), where);
  });
  // 2. Query parameters: only the route's; repeated fields collect every occurrence.
  for (const [name, raw] of search) {
    const field = compiled.queryFields.get(name);
    const where = `query ${name}`;
    if (!field) {
      const known = [...compiled.queryFields.keys()];
      const expected = known.length > 0 ? `one of ${known.join(', ')}` : 'no query parameters';
      throw HttpError.badRequest(`query: expected ${expected}, got "${name}"`);
    }
    const value = urlValue(field, raw, where);
    const previous = json[field.jsonName];
    if (field.fieldKind === 'list') {
      json[field.jsonName] = Array.isArray(previous) ? [...previous, value] : [value];
    } else if (previous !== undefined) {
      throw HttpError.badRequest(`${where}: expected one value, got several`);
    } else {
      json[field.jsonName] = value;
    }
  }
  return decode(schema, json, 'url');
}

/**
 * Parses one JSON text into a message — or onto `target`, which already holds
 * the URL's fields. Unknown fields and malformed JSON are the caller's 400.
 */
export function messageFromJsonText<Desc extends DescMessage>(
  schema: Desc,
  text: string,
  where: string,
  target?: MessageShape<Desc>,
): MessageShape<Desc> {
  let json: JsonValue;
  try {
    json = JSON.parse(text) as JsonValue;
  } catch (error) {
    throw HttpError.badRequest(`${where}: expected JSON, got invalid JSON (${(error as Error).message})`);
  }
  return decode(schema, json, where, target);
}

function decode<Desc extends DescMessage>(
  schema: Desc,
  json: JsonValue,
  where: string,
  target?: MessageShape<Desc>,
): MessageShape<Desc> {
  try {
    return target ? mergeFromJson(schema, target, json) : fromJson(schema, json);
  } catch (error) {
    throw HttpError.badRequest(
      `${where}: expected a ${schema.typeName} in protobuf JSON, got ${(error as Error).message}`,
    );
  }
}

function decodeSegment(segment: string, where: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw HttpError.badRequest(`${where}: expected URL-encoded text, got "${segment}"`);
  }
}

const INT = /^-?\d{1,10}$/;
const INT64 = /^-?\d{1,20}$/;
const FLOAT = /^-?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** URL text → the JSON value protobuf JSON expects for this field, or a 400 naming the type. */
function urlValue(field: DescField, raw: string, where: string): JsonValue {
  const scalar = field.fieldKind === 'scalar' || field.fieldKind === 'list' ? field.scalar : undefined;
  // Enums (and lists of them) go by name; fromJson checks the name.
  if (scalar === undefined) return raw;
  const fail = (expected: string): never => {
    throw HttpError.badRequest(`${where}: expected ${expected}, got "${raw}"`);
  };
  switch (scalar) {
    case ScalarType.STRING:
    case ScalarType.BYTES:
      return raw;
    case ScalarType.BOOL:
      return raw === 'true' ? true : raw === 'false' ? false : fail('true or false');
    case ScalarType.INT32:
    case ScalarType.SINT32:
    case ScalarType.SFIXED32: {
      const n = INT.test(raw) ? Number(raw) : Number.NaN;
      return n >= -(2 ** 31) && n < 2 ** 31 ? n : fail('an int32');
    }
    case ScalarType.UINT32:
    case ScalarType.FIXED32: {
      const n = INT.test(raw) ? Number(raw) : Number.NaN;
      return n >= 0 && n < 2 ** 32 ? n : fail('a uint32');
    }
    case ScalarType.DOUBLE:
    case ScalarType.FLOAT:
      return FLOAT.test(raw) ? Number(raw) : fail('a number');
    default:
      // 64-bit integers stay strings, as in protobuf JSON; fromJson checks the range.
      return INT64.test(raw) ? raw : fail('a 64-bit integer');
  }
}
