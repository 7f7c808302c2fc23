import { readFileSync } from 'node:fs';
import test from 'ava';
import { buildSchema, isObjectType } from 'graphql';
import { checkGraphqlSdl, GRAPHQL_ONLY_FIELDS, MIRRORED_TYPES } from './graphql-drift-check.js';
import { PROTO_FILE } from './proto-model.js';

const SDL = readFileSync(new URL('../../schemas/graphql/schema.graphql', import.meta.url), 'utf8');

/** Applies one textual edit, failing loudly if the anchor text is gone (so the test cannot pass vacuously). */
function edit(sdl: string, from: string | RegExp, to: string): string {
  const out = sdl.replace(from, to);
  if (out === sdl) throw new Error(`drift fixture: expected ${String(from)} in the SDL, got no match`);
  return out;
}

test('the SDL mirrors the proto contract', (t) => {
  const problems = checkGraphqlSdl(SDL);
  t.deepEqual(problems, [], problems.join('\n'));
});

test('every proto message the SDL mirrors exists, and the tables name no unknown type', (t) => {
  const messages = new Set(PROTO_FILE.messages.map((m) => m.name));
  for (const mirror of MIRRORED_TYPES) {
    t.true(messages.has(mirror.proto), `expected proto message ${mirror.proto}, got none`);
  }
  const schema = buildSchema(SDL);
  for (const where of Object.keys(GRAPHQL_ONLY_FIELDS)) {
    const [typeName = ''] = where.split('.');
    t.true(isObjectType(schema.getType(typeName)), `expected object type ${typeName}, got none`);
  }
});

test('Chat (bidi) has no GraphQL operation and the SDL says why', (t) => {
  t.regex(SDL, /Chat \(bidirectional streaming\) has no operation/);
  t.falsy(buildSchema(SDL).getSubscriptionType()?.getFields().chat);
});

const DRIFTS: readonly { name: string; sdl: () => string; expect: string }[] = [
  {
    name: 'a proto field removed from the SDL',
    sdl: () => edit(SDL, '  karma: Int64!\n', ''),
    expect: 'User.karma: expected field of type Int64!, got none',
  },
  {
    name: 'a field retyped',
    sdl: () => edit(SDL, 'followerCount: Int!', 'followerCount: Float!'),
    expect: 'User.followerCount: expected Int!, got Float!',
  },
  {
    name: 'an optional field made non-null',
    sdl: () => edit(SDL, 'editedAt: DateTime\n', 'editedAt: DateTime!\n'),
    expect: 'Post.editedAt: expected DateTime, got DateTime!',
  },
  {
    name: 'an input field retyped',
    sdl: () => edit(SDL, 'tags: [String!]! = []', 'tags: [String]'),
    expect: 'CreatePostInput.tags: expected [String!]!, got [String]',
  },
  {
    name: 'a message field made non-null (proto3 message fields have presence)',
    sdl: () => edit(SDL, /(input PostInput \{[^}]*)createdAt: DateTime\n/, '$1createdAt: DateTime!\n'),
    expect: 'PostInput.createdAt: expected DateTime, got DateTime!',
  },
  {
    name: 'a TopicService operation missing',
    sdl: () => edit(SDL, / {2}"TopicService.Publish[^\n]*\n {2}publish[^\n]*\n/, ''),
    expect: 'Mutation.publish: expected a root field for Publish, got none',
  },
  {
    name: 'a field not in proto and not allowlisted',
    sdl: () => edit(SDL, '  pinned: Boolean!\n', '  pinned: Boolean!\n  likes: Int!\n'),
    expect: 'Post.likes: expected no field',
  },
  {
    name: 'an enum value missing',
    sdl: () => edit(SDL, '  FOLLOWERS\n', ''),
    expect: 'enum Visibility: expected value FOLLOWERS, got none',
  },
  {
    name: 'an enum value not in proto',
    sdl: () => edit(SDL, '  SAD\n', '  SAD\n  ANGRY\n'),
    expect: 'enum ReactionKind: expected no value ANGRY (not in proto), got one',
  },
  {
    name: 'an allowlisted edge removed',
    sdl: () =>
      edit(
        SDL,
        / {2}"""\n {2}The author resolved from authorId[^"]*"""\n {2}author: User!\n\}\n\n"""\nA post together/,
        '}\n\n"""\nA post together',
      ),
    expect: 'Comment.author: expected allowlisted field of type User!, got none',
  },
  {
    name: 'a query argument renamed',
    sdl: () => edit(SDL, 'comments(postId: ID!, limit: Int)', 'comments(post: ID!, limit: Int)'),
    expect: 'Query.comments: expected arguments (limit: Int, postId: String), got (limit: Int, post: String)',
  },
  {
    name: 'a root operation missing',
    sdl: () => edit(SDL, / {2}"ImportPosts[^\n]*\n {2}importPosts[^\n]*\n/, ''),
    expect: 'Mutation.importPosts: expected a root field for ImportPosts, got none',
  },
  {
    name: 'an SDL that does not build',
    sdl: () => edit(SDL, 'type GeoPoint {', 'type GeoPoint {{'),
    expect: 'SDL: expected a valid schema, got',
  },
];

for (const drift of DRIFTS) {
  test(`drift is detected: ${drift.name}`, (t) => {
    const problems = checkGraphqlSdl(drift.sdl());
    t.true(
      problems.some((p) => p.startsWith(drift.expect)),
      `expected a problem starting "${drift.expect}", got:\n${problems.join('\n') || '(none)'}`,
    );
  });
}
