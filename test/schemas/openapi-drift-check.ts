import { isDeepStrictEqual } from 'node:util';
import { type DescField, ScalarType } from '@bufbuild/protobuf';
import { FeedService } from '../../schemas/gen/wirebench/v1/feed_pb.js';
import { pathParams, REST_MEDIA, REST_ROUTES, type RestRoute } from '../../schemas/rest-binding.js';
import {
  fieldElement,
  isOptional,
  isRepeated,
  PROTO_FILE,
  responseMessages,
  scalarName,
  TIMESTAMP_TYPE,
} from './proto-model.js';

/**
 * Compares the OpenAPI document with the proto contract and the REST route
 * table, returning every difference as a sentence ("expected X, got Y"); an
 * empty list means no drift. Expectations come from protobuf-es reflection
 * and REST_ROUTES, never from the document itself.
 */

type Json = Record<string, unknown>;

/** Component schemas allowed without a proto counterpart. */
export const OPENAPI_ONLY_SCHEMAS = ['Error'] as const;

/** The `error.code` values of the Error body: gRPC status names. */
export const ERROR_CODES = [
  'INVALID_ARGUMENT',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'RESOURCE_EXHAUSTED',
  'UNIMPLEMENTED',
  'INTERNAL',
  'CANCELLED',
] as const;

const HTTP_VERBS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
const ERROR_REF = '#/components/schemas/Error';

const SCALAR_SCHEMAS: Partial<Record<ScalarType, Json>> = {
  [ScalarType.STRING]: { type: 'string' },
  [ScalarType.BOOL]: { type: 'boolean' },
  [ScalarType.INT32]: { type: 'integer', format: 'int32' },
  [ScalarType.INT64]: { type: 'string', format: 'int64' },
  [ScalarType.DOUBLE]: { type: 'number', format: 'double' },
  [ScalarType.BYTES]: { type: 'string', contentEncoding: 'base64' },
};

const schemaRef = (name: string) => `#/components/schemas/${name}`;

/** The protobuf JSON schema of a field, e.g. `int64 karma` → `{type: string, format: int64}`. */
export function expectedFieldSchema(field: DescField): Json {
  const element = fieldElement(field);
  let one: Json;
  if (element.kind === 'scalar') {
    const mapped = SCALAR_SCHEMAS[element.scalar];
    if (!mapped) {
      throw new Error(
        `${field.toString()}: expected a scalar with an OpenAPI mapping, got ${scalarName(element.scalar)}`,
      );
    }
    one = mapped;
  } else if (element.kind === 'message' && element.desc.typeName === TIMESTAMP_TYPE) {
    one = { type: 'string', format: 'date-time' };
  } else {
    one = { $ref: schemaRef(element.desc.name) };
  }
  return isRepeated(field) ? { type: 'array', items: one } : one;
}

/** The keys that give a schema its meaning; descriptions, examples and limits are free. */
const MEANINGFUL_KEYS = [
  '$ref',
  'type',
  'format',
  'contentEncoding',
  'enum',
  'const',
  'items',
  'properties',
  'additionalProperties',
  'oneOf',
  'anyOf',
  'allOf',
];

function shape(schema: unknown): unknown {
  if (!isJson(schema)) return schema;
  const out: Json = {};
  for (const key of MEANINGFUL_KEYS) {
    if (key in schema) out[key] = key === 'items' ? shape(schema[key]) : schema[key];
  }
  return out;
}

function isJson(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function json(value: unknown): Json {
  return isJson(value) ? value : {};
}

const show = (value: unknown) => (value === undefined ? 'none' : JSON.stringify(value));

/** Follows a local `$ref` (`#/components/...`) once, so inline and referenced objects read alike. */
function deref(doc: Json, value: unknown): Json {
  const ref = json(value).$ref;
  if (typeof ref !== 'string' || !ref.startsWith('#/')) return json(value);
  return ref
    .slice(2)
    .split('/')
    .reduce<Json>((node, key) => json(node[key]), doc);
}

function collectRefs(node: unknown): string[] {
  if (Array.isArray(node)) return node.flatMap(collectRefs);
  if (!isJson(node)) return [];
  const own = typeof node.$ref === 'string' ? [node.$ref] : [];
  return [...own, ...Object.values(node).flatMap(collectRefs)];
}

/** Checks a parsed OpenAPI document; returns the differences, empty when there is no drift. */
export function checkOpenApi(doc: Json): string[] {
  const problems: string[] = [];
  if (doc.openapi !== '3.1.0') problems.push(`openapi: expected "3.1.0", got ${show(doc.openapi)}`);
  const description = String(json(doc.info).description ?? '');
  for (const method of FeedService.methods.filter((m) => !REST_ROUTES.some((r) => r.method === m))) {
    if (!description.includes(method.name)) {
      problems.push(`info.description: expected a note that ${method.name} has no REST route, got none`);
    }
  }
  for (const ref of collectRefs(doc).filter((r) => Object.keys(deref(doc, { $ref: r })).length === 0)) {
    problems.push(`$ref ${ref}: expected a definition in this document, got none`);
  }
  return [
    ...problems,
    ...checkComponents(json(json(doc.components).schemas)),
    ...REST_ROUTES.flatMap((route) => checkRoute(doc, route)),
    ...checkNoExtraOperations(json(doc.paths)),
  ];
}

function checkComponents(schemas: Json): string[] {
  const problems: string[] = [];
  const responseOnly = responseMessages();
  // Step 1: every proto message, with exactly its fields, their types and the required list.
  for (const msg of PROTO_FILE.messages) {
    const where = `components.schemas.${msg.name}`;
    const schema = schemas[msg.name];
    if (!isJson(schema)) {
      problems.push(`${where}: expected a schema for message ${msg.typeName}, got none`);
      continue;
    }
    if (schema.type !== 'object') problems.push(`${where}.type: expected "object", got ${show(schema.type)}`);
    const properties = json(schema.properties);
    for (const field of msg.fields) {
      const expected = expectedFieldSchema(field);
      const actual = shape(properties[field.jsonName]);
      if (!isDeepStrictEqual(actual, expected)) {
        problems.push(
          `${where}.properties.${field.jsonName}: expected ${show(expected)}, got ${show(actual)}`,
        );
      }
    }
    const names = new Set(msg.fields.map((f) => f.jsonName));
    for (const name of Object.keys(properties).filter((n) => !names.has(n))) {
      problems.push(`${where}.properties.${name}: expected no property (not in ${msg.name}), got one`);
    }
    // Responses emit every field but optional ones; request fields may all be omitted.
    const required = responseOnly.has(msg.typeName)
      ? msg.fields.filter((f) => !isOptional(f)).map((f) => f.jsonName)
      : [];
    const actualRequired = Array.isArray(schema.required) ? schema.required.map(String) : [];
    if (!isDeepStrictEqual([...actualRequired].sort(), [...required].sort())) {
      problems.push(`${where}.required: expected ${show(required)}, got ${show(actualRequired)}`);
    }
  }
  // Step 2: every proto enum as a string enum of the full value names.
  for (const desc of PROTO_FILE.enums) {
    const expected = { type: 'string', enum: desc.values.map((v) => v.name) };
    const actual = shape(schemas[desc.name]);
    if (!isDeepStrictEqual(actual, expected)) {
      problems.push(`components.schemas.${desc.name}: expected ${show(expected)}, got ${show(actual)}`);
    }
  }
  // Step 3: nothing else but the allowlisted extras, and the Error body has its shape.
  const known = new Set<string>([
    ...PROTO_FILE.messages.map((m) => m.name),
    ...PROTO_FILE.enums.map((e) => e.name),
    ...OPENAPI_ONLY_SCHEMAS,
  ]);
  for (const name of Object.keys(schemas).filter((n) => !known.has(n))) {
    problems.push(`components.schemas.${name}: expected no schema without a proto counterpart, got one`);
  }
  return [...problems, ...checkErrorSchema(json(schemas.Error))];
}

function checkErrorSchema(schema: Json): string[] {
  const inner = json(json(schema.properties).error);
  const props = json(inner.properties);
  const expected = {
    required: ['error'],
    innerRequired: ['code', 'httpStatus', 'message'],
    code: { type: 'string', enum: [...ERROR_CODES] },
    message: { type: 'string' },
    httpStatus: { type: 'integer', format: 'int32' },
  };
  const actual = {
    required: schema.required,
    innerRequired: Array.isArray(inner.required) ? [...inner.required].sort() : inner.required,
    code: shape(props.code),
    message: shape(props.message),
    httpStatus: shape(props.httpStatus),
  };
  return isDeepStrictEqual(actual, expected)
    ? []
    : [`components.schemas.Error: expected ${show(expected)}, got ${show(actual)}`];
}

function checkRoute(doc: Json, route: RestRoute): string[] {
  const verb = route.verb.toLowerCase();
  const where = `${route.verb} ${route.path}`;
  const op = json(json(json(doc.paths)[route.path])[verb]);
  if (Object.keys(op).length === 0)
    return [`${where}: expected operation ${route.method.localName}, got none`];
  const problems: string[] = [];
  if (op.operationId !== route.method.localName) {
    problems.push(`${where}.operationId: expected "${route.method.localName}", got ${show(op.operationId)}`);
  }
  // Step 1: parameters — path segments and query fields of the request, typed from its fields.
  const input = route.method.input;
  const params = (Array.isArray(op.parameters) ? op.parameters : []).map((p) => deref(doc, p));
  const expectedParams = [
    ...pathParams(route.path).map((name) => `path:${name}`),
    ...route.query.map((name) => `query:${name}`),
  ].sort();
  const actualParams = params.map((p) => `${String(p.in)}:${String(p.name)}`).sort();
  if (!isDeepStrictEqual(actualParams, expectedParams)) {
    problems.push(`${where}.parameters: expected ${show(expectedParams)}, got ${show(actualParams)}`);
  }
  for (const param of params) {
    const field = input.fields.find((f) => f.jsonName === param.name);
    const at = `${where} parameter ${String(param.name)}`;
    if (!field) {
      problems.push(`${at}: expected a field of ${input.name}, got none`);
      continue;
    }
    const expected = expectedFieldSchema(field);
    if (!isDeepStrictEqual(shape(param.schema), expected)) {
      problems.push(`${at}: expected schema ${show(expected)}, got ${show(shape(param.schema))}`);
    }
    if (param.in === 'path' && param.required !== true) {
      problems.push(`${at}: expected required: true (path parameter), got ${show(param.required)}`);
    }
  }
  // Step 2: request body — none, one JSON message, or NDJSON of the request message.
  const body = deref(doc, op.requestBody);
  const expectedBody =
    route.requestBody === 'none'
      ? undefined
      : { [route.requestBody === 'ndjson' ? REST_MEDIA.ndjson : REST_MEDIA.json]: schemaRef(input.name) };
  const actualBody = op.requestBody === undefined ? undefined : contentRefs(body);
  if (!isDeepStrictEqual(actualBody, expectedBody)) {
    problems.push(`${where}.requestBody: expected ${show(expectedBody)}, got ${show(actualBody)}`);
  }
  return [...problems, ...checkResponses(doc, route, where, json(op.responses))];
}

function checkResponses(doc: Json, route: RestRoute, where: string, responses: Json): string[] {
  const problems: string[] = [];
  const success = String(route.successStatus);
  const media = route.responseBody === 'ndjson' ? REST_MEDIA.ndjson : REST_MEDIA.json;
  const expected = { [media]: schemaRef(route.method.output.name) };
  const actual = responses[success] === undefined ? undefined : contentRefs(deref(doc, responses[success]));
  if (!isDeepStrictEqual(actual, expected)) {
    problems.push(`${where} ${success}: expected ${show(expected)}, got ${show(actual)}`);
  }
  for (const [status, response] of Object.entries(responses)) {
    if (status === success) continue;
    if (status.startsWith('2')) {
      problems.push(`${where} ${status}: expected only ${success} as success status, got ${status} too`);
      continue;
    }
    const refs = contentRefs(deref(doc, response));
    if (!isDeepStrictEqual(refs, { [REST_MEDIA.json]: ERROR_REF })) {
      problems.push(
        `${where} ${status}: expected ${show({ [REST_MEDIA.json]: ERROR_REF })}, got ${show(refs)}`,
      );
    }
  }
  if (responses['400'] === undefined) problems.push(`${where}: expected a 400 response, got none`);
  return problems;
}

/** `content` of a body or response as media type → schema `$ref`. */
function contentRefs(bodyOrResponse: Json): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(json(bodyOrResponse.content)).map(([type, media]) => [
      type,
      json(json(media).schema).$ref,
    ]),
  );
}

function checkNoExtraOperations(paths: Json): string[] {
  const problems: string[] = [];
  for (const [path, item] of Object.entries(paths)) {
    for (const verb of Object.keys(json(item)).filter((k) => HTTP_VERBS.includes(k))) {
      if (!REST_ROUTES.some((r) => r.path === path && r.verb.toLowerCase() === verb)) {
        const id = show(json(json(item)[verb]).operationId);
        problems.push(`${verb.toUpperCase()} ${path}: expected no operation (not in REST_ROUTES), got ${id}`);
      }
    }
  }
  return problems;
}

/**
 * REST_ROUTES against the proto: one route per method except bidi streaming,
 * and every field of a body-less request bound to a path or query parameter.
 */
export function checkRestBinding(): string[] {
  const problems: string[] = [];
  for (const method of FeedService.methods) {
    const count = REST_ROUTES.filter((r) => r.method === method).length;
    const expected = method.methodKind === 'bidi_streaming' ? 0 : 1;
    if (count !== expected) problems.push(`${method.name}: expected ${expected} REST route(s), got ${count}`);
  }
  for (const route of REST_ROUTES) {
    const bound = [...pathParams(route.path), ...route.query];
    const fields = route.method.input.fields.map((f) => f.jsonName);
    for (const name of bound.filter((n) => !fields.includes(n))) {
      problems.push(
        `${route.verb} ${route.path}: expected a field of ${route.method.input.name}, got ${name}`,
      );
    }
    if (route.requestBody === 'none') {
      for (const name of fields.filter((n) => !bound.includes(n))) {
        problems.push(`${route.verb} ${route.path}: expected ${name} in the path or query, got neither`);
      }
    }
  }
  return problems;
}
