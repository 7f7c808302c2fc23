import { create } from '@bufbuild/protobuf';
import { type Timestamp, timestampFromMs } from '@bufbuild/protobuf/wkt';
import {
  type AuthorDigest,
  AuthorDigestSchema,
  type ChatMessage,
  ChatMessageSchema,
  type CreatePostRequest,
  type FeedEvent,
  FeedEventSchema,
  type GetAuthorDigestsRequest,
  type GetAuthorDigestsResponse,
  GetAuthorDigestsResponseSchema,
  type GetPostRequest,
  type GetUserRequest,
  type ImportPostsResponse,
  ImportPostsResponseSchema,
  type ListCommentsRequest,
  type ListCommentsResponse,
  ListCommentsResponseSchema,
  type ListPostsRequest,
  type ListPostsResponse,
  ListPostsResponseSchema,
  type Post,
  PostSchema,
  PostWithCommentsSchema,
  type StreamFeedRequest,
  type User,
  Visibility,
} from '../../schemas/gen/wirebench/v1/feed_pb.js';
import { Backend } from './backend.js';
import { DATASET_PRESETS, type Dataset, type DatasetPreset, generateDataset } from './dataset.js';
import { CoreError, expectArg } from './errors.js';
import { decodePageToken, encodePageToken } from './page-token.js';
import { TopicHub } from './topic-hub.js';

/** Limits every adapter inherits; requests beyond them are INVALID_ARGUMENT, never truncated silently. */
export const LIMITS = {
  defaultPageSize: 20,
  maxPageSize: 5000,
  maxDigestUsers: 100,
  maxPostsPerUser: 50,
  maxCommentsPerPost: 100,
  maxStreamCount: 1_000_000,
  maxStreamRate: 1_000_000,
  maxImportPosts: 100_000,
  maxTitleLength: 300,
  maxBodyLength: 20_000,
  maxTags: 20,
} as const;

/** Per-call context every adapter passes in: cancellation reaches the core. */
export interface CallContext {
  readonly signal?: AbortSignal;
}

export interface FeedCoreOptions {
  readonly seed?: number;
  readonly preset?: DatasetPreset;
  /** Wall clock for created posts and event timestamps; injectable so tests are deterministic. */
  readonly nowMs?: () => number;
}

/**
 * The feed operations, implemented once. Method names match the `.proto`
 * service (`FeedService`) method by method, inputs and outputs are its
 * messages, and nothing here knows about a protocol: adapters translate
 * wire ⇄ these calls and map {@link CoreError} codes to their own statuses.
 */
export class FeedCore {
  readonly dataset: Dataset;
  readonly backend: Backend;
  /** Publish/subscribe for the realtime protocols. */
  readonly topics: TopicHub;
  private readonly nowMs: () => number;

  constructor(options: FeedCoreOptions = {}) {
    this.dataset = generateDataset(options.seed ?? 1, options.preset ?? DATASET_PRESETS.medium);
    this.backend = new Backend(this.dataset);
    this.nowMs = options.nowMs ?? Date.now;
    this.topics = new TopicHub({ nowMs: this.nowMs });
  }

  async getUser(req: GetUserRequest): Promise<User> {
    expectArg(req.id !== '', 'id', 'a user id', req.id);
    const user = this.backend.user(req.id);
    if (!user) throw new CoreError('NOT_FOUND', `user ${req.id}: expected an existing user id, got none`);
    return user;
  }

  async getPost(req: GetPostRequest): Promise<Post> {
    expectArg(req.id !== '', 'id', 'a post id', req.id);
    const post = this.backend.post(req.id);
    if (!post) throw new CoreError('NOT_FOUND', `post ${req.id}: expected an existing post id, got none`);
    return post;
  }

  async listPosts(req: ListPostsRequest): Promise<ListPostsResponse> {
    const limit = pageSize(req.limit);
    const offset = req.pageToken === '' ? 0 : decodePageToken(req.pageToken);
    const { posts, total } = this.backend.postsPage(offset, limit, req.authorId);
    const next = offset + posts.length;
    return create(ListPostsResponseSchema, {
      posts,
      nextPageToken: next < total ? encodePageToken(next) : '',
    });
  }

  async listComments(req: ListCommentsRequest): Promise<ListCommentsResponse> {
    expectArg(req.postId !== '', 'postId', 'a post id', req.postId);
    const limit = pageSize(req.limit);
    if (!this.backend.post(req.postId)) {
      throw new CoreError('NOT_FOUND', `post ${req.postId}: expected an existing post id, got none`);
    }
    const [comments = []] = this.backend.commentsByPostsBatch([req.postId], limit);
    return create(ListCommentsResponseSchema, { comments });
  }

  async createPost(req: CreatePostRequest): Promise<Post> {
    validateCreate(req);
    if (!this.backend.user(req.authorId)) {
      throw new CoreError('NOT_FOUND', `authorId ${req.authorId}: expected an existing user id, got none`);
    }
    return this.backend.insertPost((id) =>
      create(PostSchema, {
        id,
        authorId: req.authorId,
        title: req.title,
        body: req.body,
        tags: [...req.tags],
        visibility: req.visibility === Visibility.UNSPECIFIED ? Visibility.PUBLIC : req.visibility,
        createdAt: this.now(),
      }),
    );
  }

  /**
   * The nested read in one call: users, their posts, each post's comments —
   * three batched backend calls whatever the sizes.
   */
  async getAuthorDigests(req: GetAuthorDigestsRequest): Promise<GetAuthorDigestsResponse> {
    expectArg(
      req.userIds.length > 0 && req.userIds.length <= LIMITS.maxDigestUsers,
      'userIds',
      `1..${LIMITS.maxDigestUsers} ids`,
      req.userIds.length,
    );
    expectArg(
      inRange(req.postsPerUser, 0, LIMITS.maxPostsPerUser),
      'postsPerUser',
      `0..${LIMITS.maxPostsPerUser}`,
      req.postsPerUser,
    );
    expectArg(
      inRange(req.commentsPerPost, 0, LIMITS.maxCommentsPerPost),
      'commentsPerPost',
      `0..${LIMITS.maxCommentsPerPost}`,
      req.commentsPerPost,
    );
    const users = this.backend.usersBatch(req.userIds);
    const missing = req.userIds.filter((_, i) => users[i] === undefined);
    if (missing.length > 0) {
      throw new CoreError(
        'NOT_FOUND',
        `userIds: expected existing user ids, got unknown ${missing.join(',')}`,
      );
    }
    const postsByUser = this.backend.postsByAuthorsBatch(req.userIds, req.postsPerUser);
    const postIds = postsByUser.flat().map((p) => p.id);
    const commentLists = this.backend.commentsByPostsBatch(postIds, req.commentsPerPost);
    const commentsByPost = new Map(postIds.map((id, i) => [id, commentLists[i] ?? []]));
    const digests: AuthorDigest[] = users.map((user, i) =>
      create(AuthorDigestSchema, {
        ...(user ? { user } : {}),
        posts: (postsByUser[i] ?? []).map((post) =>
          create(PostWithCommentsSchema, { post, comments: commentsByPost.get(post.id) ?? [] }),
        ),
      }),
    );
    return create(GetAuthorDigestsResponseSchema, { digests });
  }

  /**
   * Server streaming: `count` events on a topic, each a post from the dataset
   * (round robin), paced at `ratePerSecond` from a fixed schedule so that a
   * slow send does not shift every later one (no drift).
   */
  async *streamFeed(req: StreamFeedRequest, ctx: CallContext = {}): AsyncGenerator<FeedEvent> {
    expectArg(req.topic !== '', 'topic', 'a topic name', req.topic);
    expectArg(
      inRange(req.count, 1, LIMITS.maxStreamCount),
      'count',
      `1..${LIMITS.maxStreamCount}`,
      req.count,
    );
    expectArg(
      inRange(req.ratePerSecond, 0, LIMITS.maxStreamRate),
      'ratePerSecond',
      `0..${LIMITS.maxStreamRate}`,
      req.ratePerSecond,
    );
    const posts = this.dataset.posts;
    const start = performance.now();
    for (let seq = 1; seq <= req.count; seq++) {
      if (ctx.signal?.aborted) throw new CoreError('CANCELLED', 'streamFeed: cancelled by the caller');
      if (req.ratePerSecond > 0) {
        const due = start + ((seq - 1) * 1000) / req.ratePerSecond;
        const wait = due - performance.now();
        if (wait > 0) await sleep(wait, ctx.signal);
      }
      const post = posts[(seq - 1) % posts.length];
      yield create(FeedEventSchema, {
        seq: BigInt(seq),
        topic: req.topic,
        sentAt: this.now(),
        payload: post ? { case: 'post', value: post } : { case: undefined },
      });
    }
  }

  /**
   * Client streaming: validates and stores each post as it arrives; one summary at the end.
   * Not transactional: posts stored before an invalid one stay stored, as with any streaming import.
   */
  async importPosts(requests: AsyncIterable<CreatePostRequest>): Promise<ImportPostsResponse> {
    const ids: string[] = [];
    for await (const req of requests) {
      if (ids.length >= LIMITS.maxImportPosts) {
        throw new CoreError(
          'RESOURCE_EXHAUSTED',
          `importPosts: expected at most ${LIMITS.maxImportPosts} posts, got more`,
        );
      }
      ids.push((await this.createPost(req)).id);
    }
    return create(ImportPostsResponseSchema, { imported: ids.length, ids });
  }

  /** Bidirectional: every message comes straight back, stamped with the server's time. */
  async *chat(messages: AsyncIterable<ChatMessage>): AsyncGenerator<ChatMessage> {
    for await (const msg of messages) {
      expectArg(msg.room !== '', 'room', 'a room name', msg.room);
      yield create(ChatMessageSchema, {
        room: msg.room,
        senderId: msg.senderId,
        seq: msg.seq,
        text: msg.text,
        sentAt: this.now(),
      });
    }
  }

  private now(): Timestamp {
    return timestampFromMs(this.nowMs());
  }
}

function inRange(n: number, min: number, max: number): boolean {
  return Number.isInteger(n) && n >= min && n <= max;
}

function pageSize(limit: number): number {
  expectArg(inRange(limit, 0, LIMITS.maxPageSize), 'limit', `0..${LIMITS.maxPageSize}`, limit);
  return limit === 0 ? LIMITS.defaultPageSize : limit;
}

function validateCreate(req: CreatePostRequest): void {
  expectArg(req.authorId !== '', 'authorId', 'a user id', req.authorId);
  expectArg(
    req.title.trim() !== '' && req.title.length <= LIMITS.maxTitleLength,
    'title',
    `1..${LIMITS.maxTitleLength} characters`,
    req.title,
  );
  expectArg(
    req.body.length <= LIMITS.maxBodyLength,
    'body',
    `at most ${LIMITS.maxBodyLength} characters`,
    req.body.length,
  );
  expectArg(req.tags.length <= LIMITS.maxTags, 'tags', `at most ${LIMITS.maxTags}`, req.tags.length);
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }
    function onAbort(): void {
      clearTimeout(timer);
      reject(new CoreError('CANCELLED', 'streamFeed: cancelled by the caller'));
    }
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
