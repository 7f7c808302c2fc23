import { create, type DescMessage, type MessageShape } from '@bufbuild/protobuf';
import {
  ChatMessageSchema,
  CreatePostRequestSchema,
  FeedService,
  Visibility,
} from '../../schemas/gen/wirebench/v1/feed_pb.js';
import { checkedCall } from './checked-call.js';
import { oracleCall } from './oracle.js';
import type { Scenario, ScenarioContext } from './types.js';

type Msg = MessageShape<DescMessage>;
const m = FeedService.method;

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

async function* each<T>(items: readonly T[]): AsyncIterable<T> {
  for (const item of items) yield item;
}

/** Server and wall-clock timestamps differ between the service and the oracle: compare the rest. */
function clearSentAt(message: Msg): void {
  (message as { sentAt?: unknown }).sentAt = undefined;
}

/** Server streaming: `count` feed events as fast as the transport carries them. */
export function streamServerScenario(count: number): Scenario {
  return checkedCall({
    name: 'stream-server',
    description: `${count} feed events on one server stream, unpaced: per-message framing and flow control.`,
    methodKind: 'server_streaming',
    requestSchema: m.streamFeed.input,
    responseSchema: m.streamFeed.output,
    input: () => create(m.streamFeed.input, { topic: 'bench', count, ratePerSecond: 0 }),
    call: async (ctx, input, options) => {
      if (!ctx.client.serverStream) throw new Error('client: expected serverStream, got none');
      return {
        sent: [input],
        received: await collect(ctx.client.serverStream(m.streamFeed, input, options)),
      };
    },
    expected: async (ctx, input) =>
      collect(oracleCall(ctx.oracle, m.streamFeed, input) as AsyncIterable<Msg>),
    normalize: clearSentAt,
    fingerprint: (list) => `${list.length}:${String((list.at(-1) as { seq?: bigint } | undefined)?.seq)}`,
  });
}

/** Client streaming: a bulk import of `count` posts, one summary back. */
export function streamClientScenario(count: number): Scenario {
  const posts = (ctx: ScenarioContext) =>
    Array.from({ length: count }, (_, i) =>
      create(CreatePostRequestSchema, {
        authorId: `u${String(ctx.random.int(0, ctx.oracle.dataset.users.length - 1)).padStart(6, '0')}`,
        title: `Imported ${i}`,
        body: 'Imported by the stream-client scenario. '.repeat(4),
        tags: ['bench'],
        visibility: Visibility.PUBLIC,
      }),
    );
  return checkedCall({
    name: 'stream-client',
    description: `A client stream of ${count} new posts (bulk import): upload framing and flow control.`,
    methodKind: 'client_streaming',
    requestSchema: m.importPosts.input,
    responseSchema: m.importPosts.output,
    input: posts,
    call: async (ctx, input, options) => {
      if (!ctx.client.clientStream) throw new Error('client: expected clientStream, got none');
      return { sent: input, received: [await ctx.client.clientStream(m.importPosts, each(input), options)] };
    },
    // The services' ids depend on what earlier cells created; the count is what can be checked.
    expected: async (_ctx, input) => [create(m.importPosts.output, { imported: input.length })],
    normalize: (message) => {
      (message as { ids?: string[] }).ids = [];
    },
    fingerprint: (list) => String((list[0] as { imported?: number } | undefined)?.imported),
  });
}

/** Bidirectional: `count` chat messages through one stream, every one echoed. */
export function bidiEchoScenario(count: number): Scenario {
  return checkedCall({
    name: 'bidi-echo',
    description: `${count} chat messages echoed over one bidirectional stream.`,
    methodKind: 'bidi_streaming',
    requestSchema: m.chat.input,
    responseSchema: m.chat.output,
    input: (ctx) =>
      Array.from({ length: count }, (_, i) =>
        create(ChatMessageSchema, {
          room: 'bench',
          senderId: 'u000001',
          seq: BigInt(i + 1),
          text: `msg ${ctx.random.int(0, 1e6)}`,
        }),
      ),
    call: async (ctx, input, options) => {
      if (!ctx.client.bidiStream) throw new Error('client: expected bidiStream, got none');
      return { sent: input, received: await collect(ctx.client.bidiStream(m.chat, each(input), options)) };
    },
    expected: async (ctx, input) =>
      collect(oracleCall(ctx.oracle, m.chat, each(input)) as AsyncIterable<Msg>),
    normalize: clearSentAt,
    fingerprint: (list) => list.map((x) => String((x as { seq?: bigint }).seq)).join(','),
  });
}
