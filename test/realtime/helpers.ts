import { create } from '@bufbuild/protobuf';
import type { ExecutionContext } from 'ava';
import type {
  CreateRealtimeClient,
  Gap,
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
  /** False for a variant that may lose events by design (datagrams): see {@link assertLossReported}. */
  readonly reliable: boolean;
  readonly start: (core: FeedCore, options: RealtimeStartOptions) => Promise<RealtimeServerHandle>;
  readonly createClient: CreateRealtimeClient;
}

/** The conformance matrix: every (protocol × transport × encoding × variant) the realtime registry offers. */
export const CASES: readonly Case[] = REALTIME_REGISTRY.flatMap((entry) =>
  entry.transports.flatMap((transport) =>
    entry.encodings.flatMap((encoding) =>
      // A variant over a transport it lists as unsupported (GraphQL over WebSocket on h2) is left out.
      (entry.variants ?? [undefined])
        .filter((v) => !v?.unsupported?.some((u) => u.transport === transport))
        .map((v) => ({
          protocol: entry.id,
          transport,
          encoding,
          ...(v ? { variant: v.name } : {}),
          clientOptions: v?.options ?? {},
          reliable: v?.reliable ?? true,
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

/**
 * The contract of a variant that may lose events by design (datagram
 * delivery, `reliable: false` in the registry), for the seqs `from..to`
 * that were published: what arrived is a subset, strictly increasing, and
 * every missing seq lies in a reported gap. Returns how many were missing.
 */
export function assertLossReported(
  t: ExecutionContext,
  received: readonly bigint[],
  from: bigint,
  to: bigint,
  gaps: readonly Gap[],
): number {
  const inRange = received.filter((s) => s >= from && s <= to);
  t.true(
    received.every((s, i) => i === 0 || s > (received[i - 1] as bigint)),
    'seqs strictly increasing, no duplicate',
  );
  t.true(
    inRange.every((s) => s >= from && s <= to),
    'nothing that was not published',
  );
  const got = new Set(inRange);
  const unreported: bigint[] = [];
  for (let s = from; s <= to; s++) {
    if (!got.has(s) && !gaps.some((g) => s >= g.from && s <= g.to)) unreported.push(s);
  }
  t.deepEqual(unreported, [], 'every missing seq was reported as a gap');
  const missing = Number(to - from + 1n) - got.size;
  t.log(`${missing} of ${to - from + 1n} events lost and reported as gaps`);
  return missing;
}

/**
 * Reads `sub` until an event with seq ≥ `last` arrives, calling `nudge`
 * every 50 ms meanwhile (an unreliable variant may lose `last` itself: the
 * nudge publishes one more so a later seq shows the loss). Fails after `ms`.
 */
export async function takeThrough(
  sub: RealtimeSubscription,
  last: bigint,
  nudge: () => void,
  ms = 10_000,
): Promise<FeedEvent[]> {
  const out: FeedEvent[] = [];
  const it = sub[Symbol.asyncIterator]();
  const timer = setInterval(nudge, 50);
  const deadline = setTimeout(() => void it.return?.(), ms);
  try {
    for (let next = await it.next(); !next.done; next = await it.next()) {
      out.push(next.value);
      if (next.value.seq >= last) return out;
    }
    throw new Error(
      `takeThrough: expected an event with seq ≥ ${last} within ${ms} ms, got ${out.length} events`,
    );
  } finally {
    clearInterval(timer);
    clearTimeout(deadline);
  }
}
