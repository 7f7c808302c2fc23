import { create } from '@bufbuild/protobuf';
import { isMultiplexed } from '../../protocols/types.js';
import { CreatePostRequestSchema, FeedService, Visibility } from '../../schemas/gen/wirebench/v1/feed_pb.js';
import { entityId, LIST_SIZES } from '../../services/core/index.js';
import { nestedNaiveScenario, nestedScenario } from './nested.js';
import { bidiEchoScenario, streamClientScenario, streamServerScenario } from './streams.js';
import type { AnyScenario, HolScenario, PushScenario, Scenario } from './types.js';
import { unaryScenario } from './unary.js';

const m = FeedService.method;
const NESTED = { users: 5, postsPerUser: 5, commentsPerPost: 5 } as const;
/** many-small: browsers open 6 HTTP/1.1 connections per origin; HTTP/2 and HTTP/3 multiplex on one. */
const MANY_SMALL_IN_FLIGHT = 50;
const H1_CONNECTIONS = 6;

const randomPostId = (random: { int(a: number, b: number): number }, count: number) =>
  entityId('p', random.int(0, count - 1));

/**
 * The scenarios, as data. Each names the method kind it needs; the registry
 * decides which protocol × transport cells can run it.
 */
export const SCENARIOS: readonly Scenario[] = [
  unaryScenario({
    name: 'get-small',
    description: 'One post by id (~1 KB as JSON): per-request overhead dominates.',
    method: m.getPost,
    input: (ctx) => ({ id: randomPostId(ctx.random, ctx.oracle.dataset.posts.length) }),
    fingerprint: (post) => post.id,
  }),
  unaryScenario({
    name: 'create-small',
    description: 'Create one post: a small request body, a write, the created entity back.',
    method: m.createPost,
    input: (ctx) =>
      create(CreatePostRequestSchema, {
        authorId: entityId('u', ctx.random.int(0, ctx.oracle.dataset.users.length - 1)),
        title: `Bench post ${ctx.random.int(0, 1e9)}`,
        body: 'A small post created by the create-small scenario.',
        tags: ['bench', 'http2'],
        visibility: Visibility.PUBLIC,
      }),
    // The service assigns id and time; the oracle cannot know them.
    normalize: (post) => {
      post.id = '';
      post.createdAt = undefined;
    },
    fingerprint: (post) => `${post.authorId}:${post.title}`,
  }),
  unaryScenario({
    name: 'list-large',
    description: `A page of ${LIST_SIZES.large} posts (over 1 MB as JSON): serialization and bandwidth dominate.`,
    method: m.listPosts,
    input: () => ({ limit: LIST_SIZES.large }),
    fingerprint: (page) =>
      `${page.posts.length}:${page.posts[0]?.id}:${page.posts.at(-1)?.id}:${page.nextPageToken}`,
  }),
  unaryScenario({
    name: 'many-small',
    description: `${MANY_SMALL_IN_FLIGHT} small requests in flight: one multiplexed connection (h2, h3) vs ${H1_CONNECTIONS} HTTP/1.1 connections.`,
    method: m.getPost,
    input: (ctx) => ({ id: randomPostId(ctx.random, ctx.oracle.dataset.posts.length) }),
    fingerprint: (post) => post.id,
    load: (transport) => ({
      concurrency: MANY_SMALL_IN_FLIGHT,
      connections: isMultiplexed(transport) ? 1 : H1_CONNECTIONS,
    }),
  }),
  unaryScenario({
    name: 'saturation',
    description:
      'get-small under open-loop load stepped from 25% to 150% of capacity: the knee, and Little’s law checked.',
    method: m.getPost,
    input: (ctx) => ({ id: randomPostId(ctx.random, ctx.oracle.dataset.posts.length) }),
    fingerprint: (post) => post.id,
    saturation: true,
  }),
  nestedScenario(NESTED),
  nestedNaiveScenario(NESTED),
  streamServerScenario(200),
  streamClientScenario(100),
  bidiEchoScenario(100),
];

/** Push scenarios: the realtime registry's protocols (WebSocket, SSE, long-polling…). */
export const PUSH_SCENARIOS: readonly PushScenario[] = [
  {
    family: 'push',
    name: 'fanout',
    description:
      'One publisher, N subscribers of one topic (N from the profile: 50 quick, 1,000 standard, 10,000 full): delivery latency to every subscriber, loss, duplicates, order.',
    payloadBytes: 200,
  },
  {
    family: 'push',
    name: 'fanout-peak',
    description:
      'fanout at its peak: one publisher, 10,000 subscribers of one topic, on each push protocol’s default transport, encoding and variant, on loopback; never scaled by the run budget (fewer only when the open-file limit or memory cannot hold them, with the reason recorded).',
    payloadBytes: 200,
    // 5 events at 1/s: each is 10,000 deliveries, which keeps one client process busy (client-bound, noted).
    peak: { subscribers: 10_000, messages: 5, ratePerS: 1 },
  },
  {
    family: 'push',
    name: 'connections',
    measure: 'connections',
    description:
      'Clients ramped up against one server process, each holding a subscription (N from the profile: 50 quick, 2,000 standard, 10,000 full): how many are held, server memory per connection, time to establish; one event then checks every held subscriber.',
    payloadBytes: 200,
  },
  {
    family: 'push',
    name: 'reconnect-storm',
    measure: 'reconnect-storm',
    description:
      'N subscribers (25 quick, 1,000 standard, 5,000 full) connected, then the server cuts every connection at once: time until each has resubscribed (its first event published after the cut arrives), events lost, duplicates, reconnection attempts; seeded backoff jitter spreads the clients.',
    payloadBytes: 200,
  },
];

/**
 * The head-of-line experiment, as data. Twelve list pages of 6 posts (~4.5 KB
 * of JSON each) fetched at once — a page pulling its small resources — over
 * HTTP/1.1 with six TLS connections, HTTP/2 with one, and HTTP/3 with one.
 * One lost server→client packet stalls every stream of an HTTP/2 connection
 * behind TCP's in-order delivery; QUIC delivers each stream on its own, so
 * only the streams whose bytes were in the packet wait; HTTP/1.1 loses one
 * of its six connections for a while.
 *
 * Why small objects: the batch (~55 KB) fits one flight of a warmed
 * connection and node's default 64 KB HTTP/2 flow-control window, so what a
 * loss costs is blocking alone. With ~70 KB objects (840 KB in all) the
 * measured effect was dominated by other things — HTTP/2 bound by its
 * flow-control window (~1.2 s per batch at 50 ms RTT), QUIC by its
 * congestion response — and the same drop said little about head-of-line
 * blocking. The drop: the first full-size packet past 16 KiB of response
 * payload — early (the first third of the batch: the fourth object's bytes
 * on a stream-by-stream sender), at the same byte position on every
 * transport; counting packets instead would land elsewhere on QUIC, whose
 * stack here sends fewer, larger (IP-fragmented) datagrams. The loss sweep uses 30-post objects (~21 KB,
 * ~250 KB a batch), so even 0.5% loss meets a packet in most trials.
 */
const HOL_SCENARIO: HolScenario = {
  family: 'hol',
  name: 'hol',
  description:
    'Head-of-line blocking: 12 objects (~4.5 KB each) fetched at once over h1s ×6 connections, h2 ×1, h3 ×1 on an emulated link; one chosen server→client packet dropped (per-object delay vs a no-drop baseline), then a random-loss sweep with 95% confidence intervals.',
  protocols: ['rest'],
  transports: ['h1s', 'h2', 'h3'],
  objects: 12,
  postsPerObject: 6,
  sweepPostsPerObject: 30,
  h1Connections: 6,
  dropAfterBytes: 16_384,
  minPayloadBytes: 1000,
  delayedThresholdRtt: 0.5,
};

/** Head-of-line experiments: on emulated links only (run by bench/protocols/run-hol-cell.ts). */
export const HOL_SCENARIOS: readonly HolScenario[] = [HOL_SCENARIO];

/** Every scenario, request/response first. */
export const ALL_SCENARIOS: readonly AnyScenario[] = [...SCENARIOS, ...PUSH_SCENARIOS, ...HOL_SCENARIOS];

export function findScenario(name: string): AnyScenario | undefined {
  return ALL_SCENARIOS.find((s) => s.name === name);
}

/** A request/response scenario by name (tools that drive unary calls only). */
export function findRpcScenario(name: string): Scenario | undefined {
  return SCENARIOS.find((s) => s.name === name);
}
