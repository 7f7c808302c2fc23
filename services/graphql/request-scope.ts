import { create } from '@bufbuild/protobuf';
import DataLoader from 'dataloader';
import {
  type Comment,
  GetUserRequestSchema,
  type Post,
  type User,
} from '../../schemas/gen/wirebench/v1/feed_pb.js';
import {
  type Backend,
  type BackendCall,
  CoreError,
  expectArg,
  type FeedCore,
  LIMITS,
} from '../core/index.js';

/** Every backend method, so the per-request counter cannot silently miss one (checked against BackendCall). */
const COUNTED = {
  user: true,
  usersBatch: true,
  post: true,
  postsPage: true,
  postsByAuthorsBatch: true,
  commentsByPostsBatch: true,
  insertPost: true,
} as const satisfies Record<BackendCall, true>;

/**
 * What one GraphQL request may touch, created fresh per request (in the yoga
 * context). Two reasons for per-request state:
 *
 * - **Counting.** The backend is shared by concurrent requests, so a delta of
 *   `backend.stats()` would mix them up. Instead the request gets its own view
 *   of the backend whose methods bump a private counter before delegating,
 *   and a view of FeedCore that uses that backend; `backendCalls()` is then
 *   exactly this request's calls, whatever runs beside it.
 * - **Batching.** DataLoaders must not outlive a request (their cache would
 *   serve stale data and leak memory), so they are made here, lazily.
 *
 * The edge methods are the only data access of the graph edges (User.posts,
 * Post.author, Post.comments, Comment.author): with DataLoader, all parents
 * of one level share one batch call; without, each parent makes its own call
 * (the N+1 pattern the bench measures).
 */
export class RequestScope {
  /** FeedCore with this request's counting backend: root fields call the core through it. */
  readonly core: FeedCore;
  private readonly backend: Backend;
  private calls = 0;
  private usersLoader: DataLoader<string, User | undefined> | undefined;
  private readonly postsLoaders = new Map<number, DataLoader<string, Post[]>>();
  private readonly commentsLoaders = new Map<number, DataLoader<string, Comment[]>>();

  constructor(
    core: FeedCore,
    readonly dataloader: boolean,
  ) {
    this.backend = countingBackend(core.backend, () => this.calls++);
    // A view, not a copy: every other member (dataset, clock, topics) is read through the prototype.
    this.core = Object.create(core, { backend: { value: this.backend } }) as FeedCore;
  }

  /** Backend calls this request has made so far. */
  backendCalls(): number {
    return this.calls;
  }

  /**
   * Query.user. With DataLoader, aliased `user(id:)` fields of one query share
   * one usersBatch call; a miss (or an empty id) goes to FeedCore.getUser so
   * the error is the core's own (one extra call, on the error path only).
   */
  async rootUser(id: string): Promise<User> {
    const request = create(GetUserRequestSchema, { id });
    if (!this.dataloader || id === '') return this.core.getUser(request);
    return (await this.users().load(id)) ?? this.core.getUser(request);
  }

  /** Post.author, Comment.author: a dangling author id is a broken dataset, hence INTERNAL. */
  async author(id: string): Promise<User> {
    const user = this.dataloader ? await this.users().load(id) : this.backend.user(id);
    if (!user) throw new CoreError('INTERNAL', `author ${id}: expected an existing user, got none`);
    return user;
  }

  /** User.posts: the author's first `limit` posts in id order (the same slice GetAuthorDigests returns). */
  async postsOf(authorId: string, limit: number | null | undefined): Promise<Post[]> {
    const n = edgeLimit(limit, LIMITS.maxPostsPerUser, 'User.posts(limit)');
    if (!this.dataloader) return this.backend.postsPage(0, n, authorId).posts;
    return loaderFor(this.postsLoaders, n, (ids) => this.backend.postsByAuthorsBatch(ids, n)).load(authorId);
  }

  /** Post.comments: the post's first `limit` comments in id order. */
  async commentsOf(postId: string, limit: number | null | undefined): Promise<Comment[]> {
    const n = edgeLimit(limit, LIMITS.maxCommentsPerPost, 'Post.comments(limit)');
    if (!this.dataloader) return this.backend.commentsByPostsBatch([postId], n)[0] ?? [];
    return loaderFor(this.commentsLoaders, n, (ids) => this.backend.commentsByPostsBatch(ids, n)).load(
      postId,
    );
  }

  private users(): DataLoader<string, User | undefined> {
    this.usersLoader ??= new DataLoader((ids) => Promise.resolve(this.backend.usersBatch(ids)));
    return this.usersLoader;
  }
}

/** One loader per distinct limit: a batch call takes one limit for all its keys. */
function loaderFor<V>(
  loaders: Map<number, DataLoader<string, V>>,
  limit: number,
  batch: (ids: readonly string[]) => V[],
): DataLoader<string, V> {
  let loader = loaders.get(limit);
  if (!loader) {
    loader = new DataLoader((ids) => Promise.resolve(batch(ids)));
    loaders.set(limit, loader);
  }
  return loader;
}

/** An absent limit is the core's default page size; otherwise 0..max, as GetAuthorDigests checks it. */
function edgeLimit(limit: number | null | undefined, max: number, field: string): number {
  if (limit === null || limit === undefined) return LIMITS.defaultPageSize;
  expectArg(Number.isInteger(limit) && limit >= 0 && limit <= max, field, `0..${max}`, limit);
  return limit;
}

/** The shared backend seen through a counter: same data, same global stats, plus `count()` per call. */
function countingBackend(backend: Backend, count: () => void): Backend {
  const view = Object.create(backend) as Backend;
  for (const name of Object.keys(COUNTED) as BackendCall[]) {
    const method = backend[name] as (...args: unknown[]) => unknown;
    Object.defineProperty(view, name, {
      value: (...args: unknown[]) => {
        count();
        return method.apply(backend, args);
      },
    });
  }
  return view;
}
