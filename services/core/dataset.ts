import { create } from '@bufbuild/protobuf';
import { type Timestamp, TimestampSchema } from '@bufbuild/protobuf/wkt';
import {
  type Comment,
  CommentSchema,
  GeoPointSchema,
  type Post,
  PostSchema,
  ReactionKind,
  ReactionSchema,
  Role,
  type User,
  UserSchema,
  Visibility,
} from '../../schemas/gen/wirebench/v1/feed_pb.js';
import { Random } from './random.js';
import { INTERESTS, TAGS, WORDS } from './words.js';

/** Scale of the generated dataset. */
export interface DatasetPreset {
  readonly users: number;
  readonly postsPerUser: number;
  /** Comments per post are drawn uniformly from 0 to twice this. */
  readonly commentsPerPost: number;
}

/**
 * Named scales. `medium` is what the services load by default: 5,000 posts,
 * enough for a 1,500-post list page (over 1 MB as JSON, see {@link LIST_SIZES}).
 */
export const DATASET_PRESETS = {
  small: { users: 50, postsPerUser: 10, commentsPerPost: 3 },
  medium: { users: 500, postsPerUser: 10, commentsPerPost: 4 },
  large: { users: 2000, postsPerUser: 10, commentsPerPost: 4 },
} as const satisfies Record<string, DatasetPreset>;

export type DatasetPresetName = keyof typeof DATASET_PRESETS;

/**
 * Page sizes for list responses, named by payload size. A `large` page of
 * posts is over 1 MB as REST JSON (asserted by test/core/dataset.test.ts).
 */
export const LIST_SIZES = { small: 10, medium: 100, large: 1500 } as const;

/** The generated data, ordered by id. Treat as read-only. */
export interface Dataset {
  readonly seed: number;
  readonly preset: DatasetPreset;
  readonly users: readonly User[];
  readonly posts: readonly Post[];
  readonly comments: readonly Comment[];
}

/** All timestamps lie before this fixed instant, so data never depends on the clock. */
export const DATASET_EPOCH_SECONDS = 1_767_225_600n; // 2026-01-01T00:00:00Z

/**
 * Generates the dataset for a seed. The same seed and preset give
 * byte-identical data on every machine: one seeded generator, consumed in a
 * fixed order (users, then posts, then comments), no clock, no Math.random.
 */
export function generateDataset(seed: number, preset: DatasetPreset = DATASET_PRESETS.medium): Dataset {
  const rnd = new Random(seed);
  const users: User[] = [];
  for (let i = 0; i < preset.users; i++) users.push(makeUser(rnd, i));

  const posts: Post[] = [];
  const postCount = preset.users * preset.postsPerUser;
  for (let i = 0; i < postCount; i++) {
    const author = users[i % preset.users];
    if (author === undefined) throw new Error('unreachable: author index out of range');
    posts.push(makePost(rnd, i, author.id, preset.users));
  }

  const comments: Comment[] = [];
  for (const post of posts) {
    const n = rnd.int(0, preset.commentsPerPost * 2);
    for (let k = 0; k < n; k++) {
      comments.push(makeComment(rnd, comments.length, post, preset.users, comments));
    }
    post.commentCount = n;
  }
  return { seed, preset, users, posts, comments };
}

/** Zero-padded ids sort in creation order as strings too. */
export function entityId(prefix: 'u' | 'p' | 'c', index: number): string {
  return `${prefix}${String(index).padStart(6, '0')}`;
}

function timestampBefore(rnd: Random, maxAgeSeconds: number): Timestamp {
  return create(TimestampSchema, {
    seconds: DATASET_EPOCH_SECONDS - BigInt(rnd.int(0, maxAgeSeconds)),
    nanos: rnd.int(0, 999) * 1_000_000,
  });
}

function sentence(rnd: Random, minWords: number, maxWords: number): string {
  const n = rnd.int(minWords, maxWords);
  const words: string[] = [];
  for (let i = 0; i < n; i++) words.push(rnd.pick(WORDS));
  const text = words.join(' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function paragraph(rnd: Random, sentences: number): string {
  const out: string[] = [];
  for (let i = 0; i < sentences; i++) out.push(`${sentence(rnd, 6, 14)}.`);
  return out.join(' ');
}

function distinct(rnd: Random, from: readonly string[], max: number): string[] {
  const n = rnd.int(0, max);
  const chosen = new Set<string>();
  for (let i = 0; i < n; i++) chosen.add(rnd.pick(from));
  return [...chosen];
}

function makeUser(rnd: Random, index: number): User {
  const handle = `${rnd.pick(WORDS)}_${rnd.pick(WORDS)}_${index}`;
  return create(UserSchema, {
    id: entityId('u', index),
    handle,
    displayName: sentence(rnd, 2, 3),
    role: rnd.bool(0.9) ? Role.MEMBER : rnd.pick([Role.MODERATOR, Role.ADMIN]),
    verified: rnd.bool(0.2),
    followerCount: rnd.int(0, 250_000),
    // int64 beyond 2^53 on some users: JSON must carry it as a string.
    karma: rnd.bool(0.05)
      ? 9_007_199_254_740_993n + BigInt(rnd.int(0, 1_000_000))
      : BigInt(rnd.int(0, 5_000_000)),
    reputation: Math.round(rnd.float() * 1e6) / 1e3,
    createdAt: timestampBefore(rnd, 5 * 365 * 86_400),
    ...(rnd.bool(0.6) ? { bio: paragraph(rnd, 1) } : {}),
    interests: distinct(rnd, INTERESTS, 4),
    location: create(GeoPointSchema, {
      latitude: Math.round((rnd.float() * 180 - 90) * 1e6) / 1e6,
      longitude: Math.round((rnd.float() * 360 - 180) * 1e6) / 1e6,
    }),
    avatarThumbnail: rnd.bytes(rnd.int(24, 64)),
  });
}

function makePost(rnd: Random, index: number, authorId: string, userCount: number): Post {
  const createdAt = timestampBefore(rnd, 365 * 86_400);
  const reactions = [];
  const reactionCount = rnd.int(0, 8);
  for (let i = 0; i < reactionCount; i++) {
    reactions.push(
      create(ReactionSchema, {
        userId: entityId('u', rnd.int(0, userCount - 1)),
        kind: rnd.pick([ReactionKind.LIKE, ReactionKind.LOVE, ReactionKind.LAUGH, ReactionKind.SAD]),
      }),
    );
  }
  const edited = rnd.bool(0.15);
  return create(PostSchema, {
    id: entityId('p', index),
    authorId,
    title: sentence(rnd, 4, 9),
    body: paragraph(rnd, rnd.int(2, 5)),
    tags: distinct(rnd, TAGS, 5),
    visibility: rnd.pick([Visibility.PUBLIC, Visibility.PUBLIC, Visibility.FOLLOWERS, Visibility.PRIVATE]),
    createdAt,
    ...(edited
      ? { editedAt: create(TimestampSchema, { seconds: createdAt.seconds + BigInt(rnd.int(60, 86_400)) }) }
      : {}),
    viewCount: BigInt(rnd.int(0, 2_000_000)),
    score: Math.round(rnd.float() * 1e5) / 1e2,
    pinned: rnd.bool(0.02),
    commentCount: 0,
    reactions,
  });
}

function makeComment(
  rnd: Random,
  index: number,
  post: Post,
  userCount: number,
  earlier: readonly Comment[],
): Comment {
  // A reply, sometimes, to the previous comment on the same post.
  const previous = earlier[earlier.length - 1];
  const isReply = previous !== undefined && previous.postId === post.id && rnd.bool(0.3);
  return create(CommentSchema, {
    id: entityId('c', index),
    postId: post.id,
    authorId: entityId('u', rnd.int(0, userCount - 1)),
    body: sentence(rnd, 3, 25),
    createdAt: timestampBefore(rnd, 180 * 86_400),
    likeCount: rnd.int(0, 500),
    ...(isReply ? { parentId: previous.id } : {}),
  });
}
