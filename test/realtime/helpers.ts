import { create } from '@bufbuild/protobuf';
import type { ExecutionContext } from 'ava';
import type {
  CreateRealtimeClient,
  RealtimeClient,
  RealtimeClientOptions,
  RealtimeSubscription,
} from '../../clients/realtime/index.js';
import { type GeneratedTls, generateTls } from '../../lib/tls.js';
import { REALTIME_REGISTRY } from '../../protocols/realtime-registry.js';
import { type EncodingId, isTlsTransport, type ProtocolId, type TransportId } from '../../protocols/types.js';
import { type FeedEvent, PostSchema } from '../../schemas/gen/wirebench/v1/feed_pb.js';
import type { FeedCore } from '../../services/core/index.js';
import type {
  RealtimeLimits,
  RealtimeServerHandle,
  RealtimeStartOptions,
} from '../../services/realtime/index.js';

/** One (protocol, transport, encoding, client variant) the realtime suites run against. */
export interface Case {
  readonly protocol: ProtocolId;
  readonly transport: TransportId;
  readonly encoding: EncodingId;
  /** The registry's client variant (Socket.IO `websocket` / `polling`), when the protocol has several. */
  readonly variant?: string;
  /** The variant's client options, given to every client of the case. */
  readonly clientOptions: Partial<RealtimeClientOptions>;
  readonly start: (core: FeedCore, options: RealtimeStartOptions) => Promise<RealtimeServerHandle>;
  readonly createClient: CreateRealtimeClient;
}

/** The conformance matrix: every (protocol × transport × encoding × variant) the realtime registry offers. */
export const CASES: readonly Case[] = REALTIME_REGISTRY.flatMap((entry) =>
  entry.transports.flatMap((transport) =>
    entry.encodings.flatMap((encoding) =>
      (entry.variants ?? [undefined]).map((v) => ({
        protocol: entry.id,
        transport,
        encoding,
        ...(v ? { variant: v.name } : {}),
        clientOptions: v?.options ?? {},
        start: entry.start,
        createClient: entry.createClient,
      })),
    ),
  ),
);

export const caseName = (c: Case): string =>
  `${c.protocol}/${c.transport}/${c.encoding}${c.variant ? `/${c.variant}` : ''}`;

let tls: Promise<GeneratedTls> | undefined;

/** A running server for `c` plus a client factory; everything is closed at teardown, clients first. */
export async function serve(
  t: ExecutionContext,
  c: Case,
  core: FeedCore,
  limits: Partial<RealtimeLimits> = {},
): Promise<{
  server: RealtimeServerHandle;
  client(options?: Partial<RealtimeClientOptions>): RealtimeClient;
}> {
  const secure = isTlsTransport(c.transport);
  if (secure) tls ??= generateTls();
  const material = secure ? await tls : undefined;
  const server = await c.start(core, {
    host: '127.0.0.1',
    port: 0,
    transport: c.transport,
    limits,
    ...(material ? { tls: material } : {}),
  });
  const clients: RealtimeClient[] = [];
  t.teardown(async () => {
    await Promise.all(clients.map((client) => client.close()));
    await server.close();
  });
  const client = (options: Partial<RealtimeClientOptions> = {}): RealtimeClient => {
    const made = c.createClient({
      url: server.url,
      transport: c.transport,
      encoding: c.encoding,
      caPem: material?.caPem,
      ...c.clientOptions,
      ...options,
    });
    clients.push(made);
    return made;
  };
  return { server, client };
}

/** A post payload whose id encodes `i`, so a receiver can check it got the right event. */
export function post(i: number, bodyBytes = 0) {
  return {
    case: 'post' as const,
    value: create(PostSchema, { id: `p${i}`, title: `t${i}`, body: 'x'.repeat(bodyBytes) }),
  };
}

/** The next `n` events of a subscription, failing after `ms`. */
export async function take(sub: RealtimeSubscription, n: number, ms = 10_000): Promise<FeedEvent[]> {
  const out: FeedEvent[] = [];
  if (n === 0) return out;
  const it = sub[Symbol.asyncIterator]();
  const deadline = Date.now() + ms;
  while (out.length < n) {
    const left = deadline - Date.now();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`take: expected ${n} events within ${ms} ms, got ${out.length}`)),
        left,
      );
    });
    const next = await Promise.race([it.next(), timeout]).finally(() => clearTimeout(timer));
    if (next.done) throw new Error(`take: expected ${n} events, the subscription ended after ${out.length}`);
    out.push(next.value);
  }
  return out;
}

export const seqs = (events: readonly FeedEvent[]): bigint[] => events.map((e) => e.seq);

/** [from, from+1, …, to] as bigints. */
export function range(from: number, to: number): bigint[] {
  return Array.from({ length: to - from + 1 }, (_, i) => BigInt(from + i));
}

/** Polls `condition` every 10 ms until it holds; fails with `what` after `ms`. */
export async function waitFor(condition: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`waitFor: expected ${what} within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
