import {
  create,
  type DescMessage,
  type DescMethod,
  fromJson,
  type JsonObject,
  type JsonValue,
  type MessageInitShape,
  type MessageShape,
  toJson,
} from '@bufbuild/protobuf';
import { type CompiledRoute, compileRoutes, routeOf } from '../../services/rest/index.js';
import { ClientError, codeFromHttpStatus } from '../errors.js';

/** The same compiled table the server routes with: a route exists once, for both sides. */
const ROUTES = compileRoutes();

/** What goes on the wire for one call: verb, path with query, and (for message routes) a JSON body. */
export interface WireRequest {
  readonly route: CompiledRoute;
  readonly path: string;
  readonly body?: string;
}

/**
 * Encodes a request message the way the binding says: path fields into the
 * template, query fields into the query string (repeated fields repeat the
 * parameter), the remaining fields as the JSON body on message routes.
 * Default values are left out (the server's defaults are the same), which
 * keeps requests as short as a hand-written client's.
 */
export function encodeRequest<I extends DescMessage>(
  method: DescMethod,
  input: MessageInitShape<I>,
): WireRequest {
  const route = routeOf(ROUTES, method);
  const schema = method.input as I;
  const json = toJson(schema, create(schema, input)) as JsonObject;
  // 1. Path: each `{field}` replaced by its URL-encoded value.
  let index = 0;
  let path = route.route.path.replace(/\{\w+\}/g, () => {
    const field = route.pathFields[index++];
    const value = field ? json[field.jsonName] : undefined;
    if (field) delete json[field.jsonName];
    return encodeURIComponent(value === undefined || value === null ? '' : String(value));
  });
  // 2. Query: only the route's fields, in table order.
  const query = new URLSearchParams();
  for (const [name, field] of route.queryFields) {
    const value = json[field.jsonName];
    delete json[field.jsonName];
    for (const item of Array.isArray(value) ? value : value === undefined ? [] : [value]) {
      query.append(name, String(item));
    }
  }
  if (query.size > 0) path += `?${query}`;
  // 3. Body: whatever is left, on routes that take one message.
  const body = route.route.requestBody === 'message' ? JSON.stringify(json) : undefined;
  return { route, path, ...(body === undefined ? {} : { body }) };
}

/** One NDJSON line of a client stream. */
export function encodeLine<I extends DescMessage>(schema: I, input: MessageInitShape<I>): string {
  return `${JSON.stringify(toJson(schema, create(schema, input)))}\n`;
}

/** A response message from protobuf JSON; anything unparsable is the server's fault (INTERNAL). */
export function decodeMessage<O extends DescMessage>(schema: O, json: JsonValue): MessageShape<O> {
  try {
    return fromJson(schema, json, { ignoreUnknownFields: false });
  } catch (error) {
    throw new ClientError('INTERNAL', `rest: expected a ${schema.typeName}, got ${(error as Error).message}`);
  }
}

/** JSON.parse with the failure as a ClientError, for response bodies and stream lines. */
export function parseJson(text: string, where: string): JsonValue {
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    throw new ClientError(
      'INTERNAL',
      `rest: expected JSON in ${where}, got ${JSON.stringify(text.slice(0, 80))}`,
    );
  }
}

/**
 * The error a non-2xx response means: the code from the HTTP status (as every
 * HTTP client maps it), the message from the server's JSON error body.
 */
export function errorFromResponse(status: number, text: string): ClientError {
  const message = errorMessage(safeParse(text)) ?? `HTTP ${status}: ${text.slice(0, 200)}`;
  return new ClientError(codeFromHttpStatus(status), message, status);
}

/** A stream line `{"error":{…}}` — how the server reports a failure after the 200 was sent. */
export function inBandError(json: JsonValue): ClientError | undefined {
  const message = errorMessage(json);
  if (message === undefined) return undefined;
  const status = ((json as JsonObject).error as JsonObject).httpStatus;
  const code = typeof status === 'number' ? codeFromHttpStatus(status) : 'UNKNOWN';
  return new ClientError(code, message, typeof status === 'number' ? status : undefined);
}

function errorMessage(json: JsonValue | undefined): string | undefined {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return undefined;
  const error = json.error;
  if (typeof error !== 'object' || error === null || Array.isArray(error)) return undefined;
  return typeof error.message === 'string' ? error.message : undefined;
}

function safeParse(text: string): JsonValue | undefined {
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    return undefined;
  }
}
