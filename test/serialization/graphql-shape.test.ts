import { readFileSync } from 'node:fs';
import { create, equals } from '@bufbuild/protobuf';
import test from 'ava';
import {
  buildSchema,
  type GraphQLObjectType,
  type GraphQLOutputType,
  getNamedType,
  graphqlSync,
  isEnumType,
  isListType,
  isNonNullType,
  isObjectType,
} from 'graphql';
import { fromGraphqlResponse, toGraphqlResponse } from '../../bench/serialization/graphql-shape.js';
import { sampleMessages } from '../../bench/serialization/messages.js';
import {
  PostSchema,
  ReactionKind,
  ReactionSchema,
  UserSchema,
} from '../../schemas/gen/wirebench/v1/feed_pb.js';
import { GRAPHQL_ONLY_FIELDS } from '../schemas/graphql-drift-check.js';

const sdl = buildSchema(
  readFileSync(new URL('../../schemas/graphql/schema.graphql', import.meta.url), 'utf8'),
);
const samples = sampleMessages(1);

/** Arguments for each root field the samples use (values are irrelevant: the root value answers). */
const ROOT_ARGS: Record<string, string> = {
  post: '(id: "p000001")',
  posts: '',
  authorDigests: '(userIds: ["u000000"])',
};

/** A selection of every proto-mirrored field of a type, in SDL order (graph edges left out). */
function selection(type: GraphQLObjectType): string {
  const fields = Object.values(type.getFields()).filter(
    (f) => GRAPHQL_ONLY_FIELDS[`${type.name}.${f.name}`] === undefined,
  );
  return fields
    .map((f) => {
      const named = getNamedType(f.type);
      return isObjectType(named) ? `${f.name} { ${selection(named)} }` : f.name;
    })
    .join(' ');
}

/** Custom scalars and enums checked against the SDL's stated formats (graphql-js passes custom scalars through). */
function checkValues(type: GraphQLOutputType, value: unknown, path: string, problems: string[]): void {
  if (isNonNullType(type)) {
    if (value === null) problems.push(`${path}: expected a value (non-null), got null`);
    else checkValues(type.ofType, value, path, problems);
    return;
  }
  if (value === null) return;
  if (isListType(type)) {
    (value as unknown[]).forEach((v, i) => {
      checkValues(type.ofType, v, `${path}[${i}]`, problems);
    });
    return;
  }
  if (isObjectType(type)) {
    for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
      const field = type.getFields()[key];
      if (!field) problems.push(`${path}.${key}: expected a field of ${type.name}, got none`);
      else checkValues(field.type, v, `${path}.${key}`, problems);
    }
    return;
  }
  const formats: Record<string, RegExp> = {
    Int64: /^-?\d+$/,
    DateTime: /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3}|\.\d{6}|\.\d{9})?Z$/,
    Bytes: /^[A-Za-z0-9+/]*={0,2}$/,
  };
  const format = formats[String(type)];
  if (format && !(typeof value === 'string' && format.test(value))) {
    problems.push(`${path}: expected ${String(type)}, got ${JSON.stringify(value)}`);
  }
  if (isEnumType(type) && !type.getValue(String(value))) {
    problems.push(`${path}: expected a ${type.name} value, got ${JSON.stringify(value)}`);
  }
}

test('each sample’s GraphQL shape is exactly what graphql-js serializes for the SDL query, byte for byte', async (t) => {
  for (const sample of await samples) {
    const response = toGraphqlResponse(sample.schema, sample.message, sample.graphql);
    const root = sdl.getQueryType()?.getFields()[sample.graphql.field];
    if (!root) throw new Error(`expected Query.${sample.graphql.field} in the SDL`);
    const rootType = getNamedType(root.type) as GraphQLObjectType;
    const query = `{ ${root.name}${ROOT_ARGS[root.name] ?? ''} { ${selection(rootType)} } }`;
    const executed = graphqlSync({ schema: sdl, source: query, rootValue: response.data });
    t.is(executed.errors, undefined, `${sample.name}: ${executed.errors?.[0]?.message}`);
    t.is(JSON.stringify(executed.data), JSON.stringify(response.data), `${sample.name}: same JSON`);
    const problems: string[] = [];
    checkValues(root.type, response.data[root.name], root.name, problems);
    t.deepEqual(problems, [], sample.name);
  }
});

test('a Post has the SDL Post type’s proto-mirrored field names, scalar mappings and enum names', async (t) => {
  const [small] = await samples;
  if (!small) throw new Error('expected a small sample');
  const post = toGraphqlResponse(small.schema, small.message, small.graphql).data.post as Record<
    string,
    unknown
  >;
  const sdlPost = sdl.getType('Post') as GraphQLObjectType;
  const expected = Object.keys(sdlPost.getFields()).filter(
    (f) => GRAPHQL_ONLY_FIELDS[`Post.${f}`] === undefined,
  );
  t.deepEqual(Object.keys(post), expected);
  t.is(typeof post.viewCount, 'string', 'Int64 as a decimal string');
  t.is(post.createdAt, '2025-08-09T05:44:31.969Z', 'DateTime as RFC 3339');
  t.is(post.editedAt, null, 'unset optional as null');
  t.true(['UNSPECIFIED', 'PUBLIC', 'FOLLOWERS', 'PRIVATE'].includes(String(post.visibility)));
});

test('enum values lose their whole shared prefix (REACTION_KIND_LIKE → LIKE), bytes become base64', (t) => {
  const post = create(PostSchema, { reactions: [create(ReactionSchema, { kind: ReactionKind.LIKE })] });
  const shape = toGraphqlResponse(PostSchema, post, { field: 'post' }).data.post as {
    reactions: { kind: string }[];
  };
  t.is(shape.reactions[0]?.kind, 'LIKE');
  const user = create(UserSchema, { avatarThumbnail: new Uint8Array([0, 1, 2, 250, 251]) });
  const userShape = toGraphqlResponse(UserSchema, user, { field: 'user' }).data.user as Record<
    string,
    unknown
  >;
  t.is(userShape.avatarThumbnail, 'AAEC+vs=');
  t.is(userShape.location, null, 'unset message as null');
  t.true(
    equals(
      UserSchema,
      fromGraphqlResponse(UserSchema, { data: { user: userShape } }, { field: 'user' }),
      user,
    ),
  );
});

test('decoding rejects values of the wrong GraphQL type with a message naming the field', (t) => {
  const decode = (post: Record<string, unknown>) =>
    fromGraphqlResponse(PostSchema, { data: { post } }, { field: 'post' });
  t.throws(() => decode({ viewCount: 12 }), { message: /view_count: expected a decimal string/ });
  t.throws(() => decode({ visibility: 'VISIBILITY_PUBLIC' }), {
    message: /expected a Visibility value name/,
  });
  t.throws(() => decode({ tags: 'a' }), { message: /tags: expected a list/ });
  t.throws(() => decode({ pinned: 'yes' }), { message: /pinned: expected a boolean/ });
  t.throws(() => fromGraphqlResponse(PostSchema, { data: {} }, { field: 'post' }), {
    message: /expected data\.post/,
  });
});
