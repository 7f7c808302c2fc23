import { readFileSync } from 'node:fs';
import test from 'ava';
import { parse } from 'yaml';
import { FeedService } from '../../schemas/gen/wirebench/v1/feed_pb.js';
import { REST_ROUTES } from '../../schemas/rest-binding.js';
import { checkOpenApi, checkRestBinding } from './openapi-drift-check.js';

type Json = Record<string, unknown>;

const DOC = parse(
  readFileSync(new URL('../../schemas/openapi/openapi.yaml', import.meta.url), 'utf8'),
) as Json;

/** A deep copy with `path` (dot-separated keys) changed by `change`; fails if the path is not there. */
function mutated(path: string, change: (parent: Json, key: string) => void): Json {
  const copy = structuredClone(DOC);
  const keys = path.split('.');
  const last = keys.pop() ?? '';
  const parent = keys.reduce<Json>((node, key) => {
    const next = node[key];
    if (typeof next !== 'object' || next === null)
      throw new Error(`fixture: expected ${path}, got no ${key}`);
    return next as Json;
  }, copy);
  if (!(last in parent)) throw new Error(`fixture: expected ${path}, got no ${last}`);
  change(parent, last);
  return copy;
}

test('the OpenAPI document mirrors the proto contract and REST_ROUTES', (t) => {
  const problems = checkOpenApi(DOC);
  t.deepEqual(problems, [], problems.join('\n'));
});

test('REST_ROUTES has one route per method except bidi, binding only request fields', (t) => {
  const problems = checkRestBinding();
  t.deepEqual(problems, [], problems.join('\n'));
  const unrouted = FeedService.methods.filter((m) => !REST_ROUTES.some((r) => r.method === m));
  t.deepEqual(
    unrouted.map((m) => `${m.name}:${m.methodKind}`),
    ['Chat:bidi_streaming'],
  );
});

const P = 'components.schemas';
const DRIFTS: readonly { name: string; doc: () => Json; expect: string }[] = [
  {
    name: 'a property removed',
    doc: () => mutated(`${P}.User.properties.karma`, (o, k) => delete o[k]),
    expect: `${P}.User.properties.karma: expected {"type":"string","format":"int64"}, got none`,
  },
  {
    name: 'int64 as a JSON number',
    doc: () => mutated(`${P}.Post.properties.viewCount.type`, (o, k) => (o[k] = 'integer')),
    expect: `${P}.Post.properties.viewCount: expected {"type":"string","format":"int64"}`,
  },
  {
    name: 'a property not in proto',
    doc: () => mutated(`${P}.Comment.properties`, (o, k) => (o[k] = { ...(o[k] as Json), likes: {} })),
    expect: `${P}.Comment.properties.likes: expected no property`,
  },
  {
    name: 'a required field dropped',
    doc: () => mutated(`${P}.User.required`, (o, k) => (o[k] = (o[k] as string[]).slice(1))),
    expect: `${P}.User.required: expected`,
  },
  {
    name: 'an optional field required',
    doc: () => mutated(`${P}.Post.required`, (o, k) => (o[k] = [...(o[k] as string[]), 'editedAt'])),
    expect: `${P}.Post.required: expected`,
  },
  {
    name: 'an enum value missing',
    doc: () => mutated(`${P}.Visibility.enum`, (o, k) => (o[k] = (o[k] as string[]).slice(0, 3))),
    expect: `${P}.Visibility: expected`,
  },
  {
    name: 'a message schema missing',
    doc: () => mutated(`${P}.StreamFeedRequest`, (o, k) => delete o[k]),
    expect: `${P}.StreamFeedRequest: expected a schema for message wirebench.v1.StreamFeedRequest, got none`,
  },
  {
    name: 'a wrong operationId',
    doc: () => mutated('paths./v1/users/{id}.get.operationId', (o, k) => (o[k] = 'fetchUser')),
    expect: 'GET /v1/users/{id}.operationId: expected "getUser", got "fetchUser"',
  },
  {
    name: 'a route missing',
    doc: () => mutated('paths./v1/posts.post', (o, k) => delete o[k]),
    expect: 'POST /v1/posts: expected operation createPost, got none',
  },
  {
    name: 'an operation not in REST_ROUTES',
    doc: () => mutated('paths./v1/users/{id}', (o, k) => (o[k] = { ...(o[k] as Json), delete: {} })),
    expect: 'DELETE /v1/users/{id}: expected no operation (not in REST_ROUTES)',
  },
  {
    name: 'a query parameter retyped',
    doc: () =>
      mutated('paths./v1/posts.get.parameters', (o, k) => {
        (o[k] as Json[])[0] = { name: 'limit', in: 'query', schema: { type: 'string' } };
      }),
    expect: 'GET /v1/posts parameter limit: expected schema {"type":"integer","format":"int32"}',
  },
  {
    name: 'a query parameter missing',
    doc: () => mutated('paths./v1/posts.get.parameters', (o, k) => (o[k] = (o[k] as Json[]).slice(1))),
    expect: 'GET /v1/posts.parameters: expected',
  },
  {
    name: 'NDJSON served as JSON',
    doc: () =>
      mutated('paths./v1/topics/{topic}/events.get.responses.200.content', (o, k) => {
        const content = o[k] as Json;
        o[k] = { 'application/json': content['application/x-ndjson'] };
      }),
    expect:
      'GET /v1/topics/{topic}/events 200: expected {"application/x-ndjson":"#/components/schemas/FeedEvent"}',
  },
  {
    name: 'an error code missing',
    doc: () =>
      mutated(`${P}.Error.properties.error.properties.code.enum`, (o, k) => {
        o[k] = (o[k] as string[]).filter((c) => c !== 'CANCELLED');
      }),
    expect: `${P}.Error: expected`,
  },
  {
    name: 'a dangling $ref',
    doc: () =>
      mutated(
        `${P}.Post.properties.reactions.items.$ref`,
        (o, k) => (o[k] = '#/components/schemas/Reactions'),
      ),
    expect: '$ref #/components/schemas/Reactions: expected a definition in this document, got none',
  },
  {
    name: 'Chat no longer mentioned',
    doc: () => mutated('info.description', (o, k) => (o[k] = 'A REST API.')),
    expect: 'info.description: expected a note that Chat has no REST route, got none',
  },
];

for (const drift of DRIFTS) {
  test(`drift is detected: ${drift.name}`, (t) => {
    const problems = checkOpenApi(drift.doc());
    t.true(
      problems.some((p) => p.startsWith(drift.expect)),
      `expected a problem starting "${drift.expect}", got:\n${problems.join('\n') || '(none)'}`,
    );
  });
}
