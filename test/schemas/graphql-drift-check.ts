import { type DescField, type DescMessage, ScalarType } from '@bufbuild/protobuf';
import {
  buildSchema,
  type GraphQLField,
  type GraphQLInputField,
  type GraphQLObjectType,
  type GraphQLSchema,
  isEnumType,
  isInputObjectType,
  isObjectType,
  isScalarType,
  isSpecifiedScalarType,
} from 'graphql';
import {
  CONTRACT_METHODS,
  fieldElement,
  isOptional,
  isRepeated,
  PROTO_FILE,
  protoMessage,
  scalarName,
  strippedValueName,
  TIMESTAMP_TYPE,
} from './proto-model.js';

/**
 * Compares the GraphQL SDL with the proto contract and returns every
 * difference as a sentence ("expected X, got Y"); an empty list means no
 * drift. The expectations are derived from protobuf-es reflection, so a
 * field added to the .proto is a failure here until the SDL has it too.
 */

/** GraphQL types that mirror a proto message field by field. */
export const MIRRORED_TYPES: readonly { graphql: string; proto: string; kind: 'object' | 'input' }[] = [
  { graphql: 'GeoPoint', proto: 'GeoPoint', kind: 'object' },
  { graphql: 'User', proto: 'User', kind: 'object' },
  { graphql: 'Reaction', proto: 'Reaction', kind: 'object' },
  { graphql: 'Post', proto: 'Post', kind: 'object' },
  { graphql: 'Comment', proto: 'Comment', kind: 'object' },
  { graphql: 'PostWithComments', proto: 'PostWithComments', kind: 'object' },
  { graphql: 'AuthorDigest', proto: 'AuthorDigest', kind: 'object' },
  { graphql: 'FeedEvent', proto: 'FeedEvent', kind: 'object' },
  { graphql: 'ChatMessage', proto: 'ChatMessage', kind: 'object' },
  { graphql: 'PostConnection', proto: 'ListPostsResponse', kind: 'object' },
  { graphql: 'ImportPostsResult', proto: 'ImportPostsResponse', kind: 'object' },
  { graphql: 'CreatePostInput', proto: 'CreatePostRequest', kind: 'input' },
  { graphql: 'Subscribed', proto: 'Subscribed', kind: 'object' },
  { graphql: 'Gap', proto: 'Gap', kind: 'object' },
  { graphql: 'TopicMessage', proto: 'TopicMessage', kind: 'object' },
  { graphql: 'PostInput', proto: 'Post', kind: 'input' },
  { graphql: 'ReactionInput', proto: 'Reaction', kind: 'input' },
  { graphql: 'CommentInput', proto: 'Comment', kind: 'input' },
];

/**
 * The only SDL fields allowed without a proto counterpart: graph edges a
 * GraphQL API naturally has. Each with the type it must have.
 */
export const GRAPHQL_ONLY_FIELDS: Readonly<Record<string, string>> = {
  'User.posts': '[Post!]!',
  'Post.author': 'User!',
  'Post.comments': '[Comment!]!',
  'Comment.author': 'User!',
};

/** Custom scalars the mapping uses. */
export const CUSTOM_SCALARS = ['DateTime', 'Int64', 'Bytes'] as const;

const SCALAR_TYPES: Partial<Record<ScalarType, string>> = {
  [ScalarType.STRING]: 'String',
  [ScalarType.BOOL]: 'Boolean',
  [ScalarType.INT32]: 'Int',
  [ScalarType.DOUBLE]: 'Float',
  [ScalarType.INT64]: 'Int64',
  [ScalarType.BYTES]: 'Bytes',
};

/**
 * The contract's methods (FeedService, TopicService) as root fields. `returns` is the full GraphQL type;
 * `input` names the one argument carrying the request as an input object;
 * without it the arguments are the request's fields. Chat (bidi) has none.
 */
export const ROOT_OPERATIONS: readonly {
  method: string;
  root: 'Query' | 'Mutation' | 'Subscription';
  field: string;
  returns: string;
  input?: { arg: string; type: string };
}[] = [
  { method: 'getUser', root: 'Query', field: 'user', returns: 'User' },
  { method: 'getPost', root: 'Query', field: 'post', returns: 'Post' },
  { method: 'listPosts', root: 'Query', field: 'posts', returns: 'PostConnection!' },
  { method: 'listComments', root: 'Query', field: 'comments', returns: '[Comment!]!' },
  { method: 'getAuthorDigests', root: 'Query', field: 'authorDigests', returns: '[AuthorDigest!]!' },
  {
    method: 'createPost',
    root: 'Mutation',
    field: 'createPost',
    returns: 'Post!',
    input: { arg: 'input', type: 'CreatePostInput!' },
  },
  {
    method: 'importPosts',
    root: 'Mutation',
    field: 'importPosts',
    returns: 'ImportPostsResult!',
    input: { arg: 'inputs', type: '[CreatePostInput!]!' },
  },
  { method: 'streamFeed', root: 'Subscription', field: 'feed', returns: 'FeedEvent!' },
  { method: 'subscribe', root: 'Subscription', field: 'topic', returns: 'TopicMessage!' },
  { method: 'publish', root: 'Mutation', field: 'publish', returns: 'FeedEvent!' },
];

/**
 * The GraphQL type a proto field must have, e.g. `int64 karma` → `Int64!`.
 * A singular message field (Timestamp included) is nullable: proto3 message
 * fields have presence, so a message may lack one (an event published
 * without a post's createdAt). In an input (`kind: 'input'`: input objects,
 * arguments) a message field names the input mirror of its message.
 */
export function expectedGraphqlType(field: DescField, kind: 'object' | 'input' = 'object'): string {
  const element = fieldElement(field);
  let base: string;
  if (element.kind === 'scalar') {
    const mapped = SCALAR_TYPES[element.scalar];
    if (mapped === undefined) {
      throw new Error(
        `${field.toString()}: expected a scalar with a GraphQL mapping, got ${scalarName(element.scalar)}`,
      );
    }
    base = mapped;
  } else if (element.kind === 'enum') {
    base = element.desc.name;
  } else if (element.desc.typeName === TIMESTAMP_TYPE) {
    base = 'DateTime';
  } else {
    base = graphqlNameOf(element.desc, kind);
  }
  if (isRepeated(field)) return `[${base}!]!`;
  return isOptional(field) || element.kind === 'message' ? base : `${base}!`;
}

function graphqlNameOf(msg: DescMessage, kind: 'object' | 'input'): string {
  return MIRRORED_TYPES.find((t) => t.proto === msg.name && t.kind === kind)?.graphql ?? msg.name;
}

/** Checks SDL text; returns the differences, empty when there is no drift. */
export function checkGraphqlSdl(sdl: string): string[] {
  let schema: GraphQLSchema;
  try {
    schema = buildSchema(sdl);
  } catch (error) {
    return [`SDL: expected a valid schema, got ${(error as Error).message}`];
  }
  return [
    ...checkScalars(schema),
    ...checkEnums(schema),
    ...MIRRORED_TYPES.flatMap((t) => checkMirroredType(schema, t)),
    ...checkRootOperations(schema),
    ...checkNoStrayTypes(schema),
  ];
}

function checkScalars(schema: GraphQLSchema): string[] {
  return CUSTOM_SCALARS.filter((name) => !isScalarType(schema.getType(name))).map(
    (name) => `scalar ${name}: expected a custom scalar, got ${schema.getType(name)?.toString() ?? 'none'}`,
  );
}

function checkEnums(schema: GraphQLSchema): string[] {
  const problems: string[] = [];
  for (const desc of PROTO_FILE.enums) {
    const type = schema.getType(desc.name);
    if (!isEnumType(type)) {
      problems.push(`enum ${desc.name}: expected a GraphQL enum, got ${type ? 'another kind' : 'none'}`);
      continue;
    }
    const expected = desc.values.map((v) => strippedValueName(desc, v.name));
    const actual = type.getValues().map((v) => v.name);
    for (const name of expected.filter((n) => !actual.includes(n))) {
      problems.push(`enum ${desc.name}: expected value ${name}, got none`);
    }
    for (const name of actual.filter((n) => !expected.includes(n))) {
      problems.push(`enum ${desc.name}: expected no value ${name} (not in proto), got one`);
    }
  }
  return problems;
}

function checkMirroredType(schema: GraphQLSchema, mirror: (typeof MIRRORED_TYPES)[number]): string[] {
  const type = schema.getType(mirror.graphql);
  const rightKind = mirror.kind === 'input' ? isInputObjectType(type) : isObjectType(type);
  if (!type || !rightKind || !(isObjectType(type) || isInputObjectType(type))) {
    return [`type ${mirror.graphql}: expected ${mirror.kind} type mirroring ${mirror.proto}, got none`];
  }
  const problems: string[] = [];
  const fields: Record<string, GraphQLField<unknown, unknown> | GraphQLInputField> = type.getFields();
  const msg = protoMessage(mirror.proto);
  // Step 1: every proto field is present with the mapped type.
  for (const field of msg.fields) {
    const where = `${mirror.graphql}.${field.jsonName}`;
    const expected = expectedGraphqlType(field, mirror.kind);
    const actual = fields[field.jsonName];
    if (!actual) problems.push(`${where}: expected field of type ${expected}, got none`);
    else if (String(actual.type) !== expected) {
      problems.push(`${where}: expected ${expected}, got ${String(actual.type)}`);
    }
  }
  // Step 2: every other SDL field is an allowlisted graph edge with its listed type.
  const protoNames = new Set(msg.fields.map((f) => f.jsonName));
  for (const [name, field] of Object.entries(fields)) {
    if (protoNames.has(name)) continue;
    const where = `${mirror.graphql}.${name}`;
    const allowed = GRAPHQL_ONLY_FIELDS[where];
    if (allowed === undefined) {
      problems.push(`${where}: expected no field (not in ${msg.name}, not in GRAPHQL_ONLY_FIELDS), got one`);
    } else if (String(field.type) !== allowed) {
      problems.push(`${where}: expected ${allowed}, got ${String(field.type)}`);
    }
  }
  // Step 3: allowlisted edges of this type still exist (a stale allowlist hides nothing).
  for (const [where, allowed] of Object.entries(GRAPHQL_ONLY_FIELDS)) {
    const [typeName, name = ''] = where.split('.');
    if (typeName === mirror.graphql && !(name in fields)) {
      problems.push(`${where}: expected allowlisted field of type ${allowed}, got none`);
    }
  }
  return problems;
}

function rootType(schema: GraphQLSchema, root: 'Query' | 'Mutation' | 'Subscription') {
  if (root === 'Query') return schema.getQueryType();
  if (root === 'Mutation') return schema.getMutationType();
  return schema.getSubscriptionType();
}

function checkRootOperations(schema: GraphQLSchema): string[] {
  const problems: string[] = [];
  // Step 1: every method except bidi streaming has exactly one root field.
  for (const method of CONTRACT_METHODS) {
    const entries = ROOT_OPERATIONS.filter((op) => op.method === method.localName);
    const expectedCount = method.methodKind === 'bidi_streaming' ? 0 : 1;
    if (entries.length !== expectedCount) {
      problems.push(`${method.name}: expected ${expectedCount} root operation(s), got ${entries.length}`);
    }
  }
  for (const op of ROOT_OPERATIONS) {
    const where = `${op.root}.${op.field}`;
    const method = CONTRACT_METHODS.find((m) => m.localName === op.method);
    const field = rootType(schema, op.root)?.getFields()[op.field];
    if (!method) {
      problems.push(`${where}: expected a contract method ${op.method}, got none`);
      continue;
    }
    if (!field) {
      problems.push(`${where}: expected a root field for ${method.name}, got none`);
      continue;
    }
    if (String(field.type) !== op.returns) {
      problems.push(`${where}: expected ${op.returns}, got ${String(field.type)}`);
    }
    problems.push(...checkArgs(where, field, method.input, op.input));
  }
  // Step 2: no root field without a method.
  for (const root of ['Query', 'Mutation', 'Subscription'] as const) {
    for (const name of Object.keys(rootType(schema, root)?.getFields() ?? {})) {
      if (!ROOT_OPERATIONS.some((op) => op.root === root && op.field === name)) {
        problems.push(`${root}.${name}: expected no root field (no contract method), got one`);
      }
    }
  }
  return problems;
}

/** Arguments mirror the request: its fields one by one, or one input object that mirrors it. */
function checkArgs(
  where: string,
  field: GraphQLField<unknown, unknown>,
  request: DescMessage,
  input: { arg: string; type: string } | undefined,
): string[] {
  const actual = field.args.map((a) => `${a.name}: ${String(a.type)}`);
  if (input) {
    const named = input.type.replace(/[[\]!]/g, '');
    const mirrored = MIRRORED_TYPES.find((t) => t.graphql === named && t.kind === 'input');
    const problems =
      mirrored?.proto === request.name
        ? []
        : [`${where}: expected input type mirroring ${request.name}, got ${input.type}`];
    const expected = `${input.arg}: ${input.type}`;
    if (actual.join(', ') !== expected) {
      problems.push(`${where}: expected (${expected}), got (${actual.join(', ')})`);
    }
    return problems;
  }
  // Argument nullability is free (an absent argument is the proto zero value) and ID stands for String.
  const loose = (type: string) => type.replaceAll('!', '').replace(/\bID\b/g, 'String');
  const expected = request.fields
    .map((f) => `${f.jsonName}: ${loose(expectedGraphqlType(f, 'input'))}`)
    .sort();
  const got = field.args.map((a) => `${a.name}: ${loose(String(a.type))}`).sort();
  return expected.join(', ') === got.join(', ')
    ? []
    : [`${where}: expected arguments (${expected.join(', ')}), got (${got.join(', ')})`];
}

/** Every named type is a mirror, a proto enum, a custom scalar, a root type or built in. */
function checkNoStrayTypes(schema: GraphQLSchema): string[] {
  const roots = [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()];
  const known = new Set<string>([
    ...MIRRORED_TYPES.map((t) => t.graphql),
    ...PROTO_FILE.enums.map((e) => e.name),
    ...CUSTOM_SCALARS,
    ...roots.filter((t): t is GraphQLObjectType => t != null).map((t) => t.name),
  ]);
  return Object.values(schema.getTypeMap())
    .filter((t) => !t.name.startsWith('__') && !isSpecifiedScalarType(t) && !known.has(t.name))
    .map((t) => `type ${t.name}: expected no type without a proto counterpart, got one`);
}
