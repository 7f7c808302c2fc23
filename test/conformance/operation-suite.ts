import { create, type DescMessage, equals, type MessageShape } from '@bufbuild/protobuf';
import type { ProtocolClient } from '../../clients/types.js';
import type { MethodKind } from '../../protocols/types.js';
import {
  ChatMessageSchema,
  CreatePostRequestSchema,
  FeedService,
  Visibility,
} from '../../schemas/gen/wirebench/v1/feed_pb.js';
import type { FeedCore } from '../../services/core/index.js';

/** One check of the suite: run against a client, compare with the same call on the oracle core. */
export interface Check {
  readonly name: string;
  readonly kind: MethodKind;
  run(
    client: ProtocolClient,
    oracle: FeedCore,
  ): Promise<{ got: unknown; want: unknown; schema: DescMessage }>;
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

async function* fromArray<T>(items: readonly T[]): AsyncIterable<T> {
  for (const item of items) yield item;
}

const m = FeedService.method;
const newPost = (i: number) =>
  create(CreatePostRequestSchema, {
    authorId: 'u000001',
    title: `Conformance post ${i}`,
    body: `Body ${i} with ünïcode`,
    tags: ['http2', 'grpc'],
    visibility: Visibility.FOLLOWERS,
  });

/**
 * The same operations with the same inputs for every protocol × transport.
 * Servers and oracle share seed, preset and a fixed clock, so even created
 * posts and stream timestamps must match field for field.
 */
export const CHECKS: readonly Check[] = [
  {
    name: 'getUser',
    kind: 'unary',
    run: async (c, o) => ({
      got: await c.unary(m.getUser, { id: 'u000003' }),
      want: await o.getUser(create(m.getUser.input, { id: 'u000003' })),
      schema: m.getUser.output,
    }),
  },
  {
    name: 'getPost',
    kind: 'unary',
    run: async (c, o) => ({
      got: await c.unary(m.getPost, { id: 'p000042' }),
      want: await o.getPost(create(m.getPost.input, { id: 'p000042' })),
      schema: m.getPost.output,
    }),
  },
  {
    name: 'listPosts (second page, by author)',
    kind: 'unary',
    run: async (c, o) => {
      const first = await o.listPosts(create(m.listPosts.input, { limit: 3, authorId: 'u000002' }));
      const input = { limit: 3, authorId: 'u000002', pageToken: first.nextPageToken };
      return {
        got: await c.unary(m.listPosts, input),
        want: await o.listPosts(create(m.listPosts.input, input)),
        schema: m.listPosts.output,
      };
    },
  },
  {
    name: 'listComments',
    kind: 'unary',
    run: async (c, o) => ({
      got: await c.unary(m.listComments, { postId: 'p000007', limit: 50 }),
      want: await o.listComments(create(m.listComments.input, { postId: 'p000007', limit: 50 })),
      schema: m.listComments.output,
    }),
  },
  {
    name: 'createPost',
    kind: 'unary',
    run: async (c, o) => ({
      got: await c.unary(m.createPost, newPost(1)),
      want: await o.createPost(newPost(1)),
      schema: m.createPost.output,
    }),
  },
  {
    name: 'getAuthorDigests',
    kind: 'unary',
    run: async (c, o) => {
      const input = { userIds: ['u000001', 'u000004', 'u000009'], postsPerUser: 3, commentsPerPost: 2 };
      return {
        got: await c.unary(m.getAuthorDigests, input),
        want: await o.getAuthorDigests(create(m.getAuthorDigests.input, input)),
        schema: m.getAuthorDigests.output,
      };
    },
  },
  {
    name: 'streamFeed',
    kind: 'server_streaming',
    run: async (c, o) => {
      const input = { topic: 'conformance', count: 25, ratePerSecond: 0 };
      if (!c.serverStream) throw new Error('client has no serverStream');
      return {
        got: await collect(c.serverStream(m.streamFeed, input)),
        want: await collect(o.streamFeed(create(m.streamFeed.input, input))),
        schema: m.streamFeed.output,
      };
    },
  },
  {
    name: 'importPosts',
    kind: 'client_streaming',
    run: async (c, o) => {
      const posts = [2, 3, 4, 5].map(newPost);
      if (!c.clientStream) throw new Error('client has no clientStream');
      return {
        got: await c.clientStream(m.importPosts, fromArray(posts)),
        want: await o.importPosts(fromArray(posts)),
        schema: m.importPosts.output,
      };
    },
  },
  {
    name: 'chat',
    kind: 'bidi_streaming',
    run: async (c, o) => {
      const messages = [1, 2, 3, 4].map((i) =>
        create(ChatMessageSchema, { room: 'r1', senderId: 'u000001', seq: BigInt(i), text: `hello ${i}` }),
      );
      if (!c.bidiStream) throw new Error('client has no bidiStream');
      return {
        got: await collect(c.bidiStream(m.chat, fromArray(messages))),
        want: await collect(o.chat(fromArray(messages))),
        schema: m.chat.output,
      };
    },
  },
];

/** Field-by-field comparison of one message or a list of them; returns what differs, or undefined. */
export function compare(schema: DescMessage, got: unknown, want: unknown): string | undefined {
  const gots = Array.isArray(got) ? got : [got];
  const wants = Array.isArray(want) ? want : [want];
  if (gots.length !== wants.length) return `expected ${wants.length} messages, got ${gots.length}`;
  for (let i = 0; i < wants.length; i++) {
    if (!equals(schema, gots[i] as MessageShape<DescMessage>, wants[i] as MessageShape<DescMessage>)) {
      return `message ${i} (${schema.typeName}) differs from the core's answer`;
    }
  }
  return undefined;
}
