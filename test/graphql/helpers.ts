import {
  createClient,
  type GraphqlClientOptions,
  type GraphqlProtocolClient,
} from '../../clients/graphql/index.js';
import type { TransportId } from '../../protocols/types.js';
import { FeedService, type StreamFeedRequest } from '../../schemas/gen/wirebench/v1/feed_pb.js';
import { type CallContext, DATASET_PRESETS, FeedCore } from '../../services/core/index.js';
import { type GraphqlStartOptions, startGraphql } from '../../services/graphql/index.js';
import type { ServerHandle, TlsMaterial } from '../../services/types.js';

/** A fixed clock: created posts and events carry `now`, so server and oracle must agree on it. */
export const FIXED_NOW = () => 1_767_225_600_000;
export const newCore = () => new FeedCore({ seed: 1, preset: DATASET_PRESETS.small, nowMs: FIXED_NOW });

/** Records how each streamFeed generator ended, to see a client's early stop reach the core. */
export class SpyCore extends FeedCore {
  readonly ends: { aborted: boolean }[] = [];
  override async *streamFeed(req: StreamFeedRequest, ctx: CallContext = {}) {
    try {
      yield* super.streamFeed(req, ctx);
    } finally {
      this.ends.push({ aborted: ctx.signal?.aborted ?? false });
    }
  }
}
export const newSpy = () => new SpyCore({ seed: 1, preset: DATASET_PRESETS.small, nowMs: FIXED_NOW });

/** `user.posts.comments.author.posts…` nested to `levels` fields, each list limited to 1 (cheap, only deep). */
export function chain(levels: number): string {
  const edges = ['posts(limit: 1)', 'comments(limit: 1)', 'author'];
  let selection = 'id';
  for (let i = levels - 3; i >= 0; i--) selection = `${edges[i % 3]} { ${selection} }`;
  return `{ user(id: "u000001") { ${selection} } }`;
}

/** Servers and clients a test file opened, closed together in `test.after.always`. */
export class Fixture {
  private readonly servers: ServerHandle[] = [];
  private readonly clients: GraphqlProtocolClient[] = [];

  async server(core: FeedCore, transport: TransportId, extra: Partial<GraphqlStartOptions> = {}) {
    const server = await startGraphql(core, { host: '127.0.0.1', port: 0, transport, ...extra });
    this.servers.push(server);
    return server;
  }

  async client(server: ServerHandle, tls?: TlsMaterial, graphql?: GraphqlClientOptions) {
    const client = createClient({
      url: server.url,
      transport: server.transport,
      encoding: 'json',
      ...(tls ? { caPem: tls.caPem } : {}),
      ...(graphql ? { graphql } : {}),
    } as Parameters<typeof createClient>[0]) as GraphqlProtocolClient;
    this.clients.push(client);
    await client.connect();
    return client;
  }

  async close(): Promise<void> {
    await Promise.all(this.clients.map((c) => c.close()));
    await Promise.all(this.servers.map((s) => s.close()));
  }
}

/** A JSON POST to a yoga fetch handler (no socket), as the spec-aware client sends it. */
export function gqlInit(body: unknown, headers: Record<string, string> = {}): RequestInit {
  return {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  };
}

/** Runs the `feed` subscription for `count` events on topic `news`: the seqs and topics seen, and the first-byte time. */
export async function feedSubscription(client: GraphqlProtocolClient, count: number) {
  const seqs: bigint[] = [];
  const topics = new Set<string>();
  const cases = new Set<string | undefined>();
  let firstByte: bigint | undefined;
  const events = client.serverStream!(
    FeedService.method.streamFeed,
    { topic: 'news', count, ratePerSecond: 0 },
    {
      onFirstByte: (ns) => {
        firstByte = ns;
      },
    },
  );
  for await (const event of events) {
    seqs.push(event.seq);
    topics.add(event.topic);
    cases.add(event.payload.case);
  }
  return { seqs, topics: [...topics], cases: [...cases], firstByte };
}
