import { FeedService } from '../../schemas/gen/wirebench/v1/feed_pb.js';
import { entityId, LIST_SIZES } from '../../services/core/index.js';
import type { Scenario } from './types.js';
import { unaryScenario } from './unary.js';

/**
 * The scenarios, as data. Each names the method kind it needs; the registry
 * decides which protocol × transport cells can run it.
 */
export const SCENARIOS: readonly Scenario[] = [
  unaryScenario({
    name: 'get-small',
    description: 'One post by id (~1 KB as JSON): per-request overhead dominates.',
    method: FeedService.method.getPost,
    input: (ctx) => ({ id: entityId('p', ctx.random.int(0, ctx.oracle.dataset.posts.length - 1)) }),
    fingerprint: (post) => post.id,
  }),
  unaryScenario({
    name: 'list-large',
    description: `A page of ${LIST_SIZES.large} posts (over 1 MB as JSON): serialization and bandwidth dominate.`,
    method: FeedService.method.listPosts,
    input: () => ({ limit: LIST_SIZES.large }),
    fingerprint: (page) =>
      `${page.posts.length}:${page.posts[0]?.id}:${page.posts.at(-1)?.id}:${page.nextPageToken}`,
  }),
];

export function findScenario(name: string): Scenario | undefined {
  return SCENARIOS.find((s) => s.name === name);
}
