import type { Comment, Post, User } from '../../schemas/gen/wirebench/v1/feed_pb.js';
import type { Dataset } from './dataset.js';

/** Named backend calls, each counted. A batch call counts once whatever its size. */
export type BackendCall =
  | 'user'
  | 'usersBatch'
  | 'post'
  | 'postsPage'
  | 'postsByAuthorsBatch'
  | 'commentsByPostsBatch'
  | 'insertPost';

/**
 * The in-memory "database" behind every operation. It stands in for a real
 * store so that the cost of a round trip to it can be *counted*: the N+1
 * problem (one call per nested item) and DataLoader batching (one call per
 * level) show up as different numbers in {@link BackendStats}.
 */
export class Backend {
  private readonly usersById = new Map<string, User>();
  private readonly postsById = new Map<string, Post>();
  private readonly postOrder: Post[] = [];
  private readonly postsByAuthor = new Map<string, Post[]>();
  private readonly commentsByPost = new Map<string, Comment[]>();
  private readonly counts = new Map<BackendCall, number>();
  private nextPostIndex: number;

  constructor(dataset: Dataset) {
    for (const user of dataset.users) this.usersById.set(user.id, user);
    for (const post of dataset.posts) this.addPost(post);
    for (const comment of dataset.comments) {
      const list = this.commentsByPost.get(comment.postId);
      if (list) list.push(comment);
      else this.commentsByPost.set(comment.postId, [comment]);
    }
    this.nextPostIndex = dataset.posts.length;
  }

  /** Calls made so far, by kind, and their total. */
  stats(): BackendStats {
    let total = 0;
    const byCall: Partial<Record<BackendCall, number>> = {};
    for (const [call, n] of this.counts) {
      byCall[call] = n;
      total += n;
    }
    return { total, byCall };
  }

  resetStats(): void {
    this.counts.clear();
  }

  user(id: string): User | undefined {
    this.count('user');
    return this.usersById.get(id);
  }

  /** One call for many ids; the result is aligned with `ids` (undefined where missing). */
  usersBatch(ids: readonly string[]): (User | undefined)[] {
    this.count('usersBatch');
    return ids.map((id) => this.usersById.get(id));
  }

  post(id: string): Post | undefined {
    this.count('post');
    return this.postsById.get(id);
  }

  /** Posts in id order from `offset`, at most `limit`, optionally by one author. */
  postsPage(offset: number, limit: number, authorId?: string): { posts: Post[]; total: number } {
    this.count('postsPage');
    const source = authorId === undefined ? this.postOrder : (this.postsByAuthor.get(authorId) ?? []);
    return { posts: source.slice(offset, offset + limit), total: source.length };
  }

  /** Posts of each author in id order (at most `limit` each), aligned with `authorIds`. */
  postsByAuthorsBatch(authorIds: readonly string[], limit: number): Post[][] {
    this.count('postsByAuthorsBatch');
    return authorIds.map((id) => (this.postsByAuthor.get(id) ?? []).slice(0, limit));
  }

  /** Comments of each post (at most `limit` each), aligned with `postIds`. */
  commentsByPostsBatch(postIds: readonly string[], limit: number): Comment[][] {
    this.count('commentsByPostsBatch');
    return postIds.map((id) => (this.commentsByPost.get(id) ?? []).slice(0, limit));
  }

  /** Stores a new post; the id is assigned here so ids stay dense and ordered. */
  insertPost(make: (id: string) => Post): Post {
    this.count('insertPost');
    const post = make(`p${String(this.nextPostIndex++).padStart(6, '0')}`);
    this.addPost(post);
    return post;
  }

  private addPost(post: Post): void {
    this.postsById.set(post.id, post);
    this.postOrder.push(post);
    const list = this.postsByAuthor.get(post.authorId);
    if (list) list.push(post);
    else this.postsByAuthor.set(post.authorId, [post]);
  }

  private count(call: BackendCall): void {
    this.counts.set(call, (this.counts.get(call) ?? 0) + 1);
  }
}

export interface BackendStats {
  readonly total: number;
  readonly byCall: Partial<Record<BackendCall, number>>;
}
