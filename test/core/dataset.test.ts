import { createHash } from 'node:crypto';
import { create, fromJson, toBinary, toJson } from '@bufbuild/protobuf';
import test from 'ava';
import {
  CommentSchema,
  ListPostsRequestSchema,
  ListPostsResponseSchema,
  PostSchema,
  UserSchema,
} from '../../schemas/gen/wirebench/v1/feed_pb.js';
import {
  DATASET_PRESETS,
  type Dataset,
  entityId,
  FeedCore,
  generateDataset,
  LIST_SIZES,
} from '../../services/core/index.js';

/**
 * SHA-256 of the seed 1 / medium dataset as protobuf binary (users, then
 * posts, then comments). Every machine must produce exactly this. A change to
 * generation order, vocabulary or distributions changes it: update it
 * deliberately, in the same commit, and say so — published results name the
 * seed, and old results stop being reproducible.
 */
const MEDIUM_SEED1_SHA256 = '8183998d39b4560dbd16ac65ccf35bd4b20198ff5d7dfa4f577d1de6f7a81f79';

function datasetHash(dataset: Dataset): string {
  const hash = createHash('sha256');
  for (const user of dataset.users) hash.update(toBinary(UserSchema, user));
  for (const post of dataset.posts) hash.update(toBinary(PostSchema, post));
  for (const comment of dataset.comments) hash.update(toBinary(CommentSchema, comment));
  return hash.digest('hex');
}

const medium = generateDataset(1, DATASET_PRESETS.medium);

test('the same seed gives byte-identical data, pinned for seed 1 / medium', (t) => {
  const again = datasetHash(generateDataset(1, DATASET_PRESETS.medium));
  t.is(datasetHash(medium), again);
  t.is(again, MEDIUM_SEED1_SHA256, `expected the pinned hash ${MEDIUM_SEED1_SHA256}, got ${again}`);
});

test('a different seed gives different data', (t) => {
  t.not(datasetHash(generateDataset(2, DATASET_PRESETS.medium)), datasetHash(medium));
});

for (const [name, preset] of Object.entries(DATASET_PRESETS)) {
  test(`preset ${name}: counts, dense ids and comment counts agree`, (t) => {
    const data = name === 'medium' ? medium : generateDataset(1, preset);
    const posts = preset.users * preset.postsPerUser;
    t.is(data.users.length, preset.users);
    t.is(data.posts.length, posts);
    t.true(
      data.comments.length > 0 && data.comments.length <= posts * preset.commentsPerPost * 2,
      `expected 1..${posts * preset.commentsPerPost * 2} comments, got ${data.comments.length}`,
    );
    t.is(
      data.posts.reduce((sum, p) => sum + p.commentCount, 0),
      data.comments.length,
      'expected the sum of commentCount to equal the number of comments',
    );
    t.is(data.users.at(-1)?.id, entityId('u', preset.users - 1));
    t.is(data.posts.at(-1)?.id, entityId('p', posts - 1));
    t.is(data.comments.at(-1)?.id, entityId('c', data.comments.length - 1));
  });
}

test('a large list page on the medium dataset is over 1 MB as REST JSON', async (t) => {
  const core = new FeedCore({ seed: 1, preset: DATASET_PRESETS.medium });
  const page = await core.listPosts(create(ListPostsRequestSchema, { limit: LIST_SIZES.large }));
  t.is(page.posts.length, LIST_SIZES.large);
  const bytes = Buffer.byteLength(
    JSON.stringify(toJson(ListPostsResponseSchema, page, { alwaysEmitImplicit: true })),
  );
  t.true(bytes >= 1_000_000, `expected ≥ 1,000,000 bytes, got ${bytes.toLocaleString('en')}`);
});

test('int64 karma beyond 2^53 exists and survives a JSON round trip as a string', (t) => {
  const big = medium.users.find((u) => u.karma > 2n ** 53n);
  if (!big) return t.fail('expected a user with karma > 2^53, got none');
  const wire = JSON.stringify(toJson(UserSchema, big, { alwaysEmitImplicit: true }));
  const parsed = JSON.parse(wire) as { karma: unknown };
  t.is(
    parsed.karma,
    big.karma.toString(),
    `expected karma as the string "${big.karma}", got ${parsed.karma}`,
  );
  t.is(fromJson(UserSchema, JSON.parse(wire)).karma, big.karma);
});
