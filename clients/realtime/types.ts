import type { WireCounters } from '../../lib/http3/index.js';
import type { EncodingId, ProtocolId, TransportId } from '../../protocols/types.js';
import type { ChatMessage, FeedEvent } from '../../schemas/gen/wirebench/v1/feed_pb.js';
import type { Gap } from '../../services/realtime/types.js';
import type { ClientOptions } from '../types.js';

export type { Gap };

/** What a publisher sends: a post or a comment. The server assigns seq, topic and sentAt. */
export type EventPayload = FeedEvent['payload'];

/**
 * How a client reconnects after losing its connection. Delays grow
 * exponentially from `initialDelayMs` to `maxDelayMs`; each is scaled by a
 * jitter factor in [1 − jitter, 1] drawn from a generator seeded with `seed`,
 * so a run is reproducible — and clients given different seeds (seed + index)
 * spread out instead of reconnecting in lockstep (a reconnection storm).
 */
export interface ReconnectOptions {
  /** First delay; default: the server's hint (SSE `retry:`) where there is one, else 100 ms. */
  readonly initialDelayMs?: number;
  /** Default 5000 ms. */
  readonly maxDelayMs?: number;
  /** 0 (none) … 1 (full jitter); default 0.5. */
  readonly jitter?: number;
  /** Consecutive failed attempts before the subscription fails with UNAVAILABLE; default 10. */
  readonly maxAttempts?: number;
  /** Default 1. */
  readonly seed?: number;
}

/** ClientOptions plus what only realtime clients need: how to reconnect, how long to hold a poll. */
export interface RealtimeClientOptions extends ClientOptions {
  readonly reconnect?: ReconnectOptions;
  /** Long-polling only: how long each poll may be held by the server, in ms (default 20 000). */
  readonly pollTimeoutMs?: number;
  /**
   * Socket.IO only: the one engine.io transport to use, never upgraded — the
   * two are measured apart (registry variants). Default `websocket`.
   */
  readonly socketio?: { readonly transport: 'websocket' | 'polling' };
  /**
   * Raw QUIC and WebTransport only: how the server delivers a subscription's
   * events — `streams` (default: reliable, ordered, on the subscription's bidi
   * stream) or `datagrams` (RFC 9221 / WebTransport datagrams: unreliable, no
   * retransmission, so no head-of-line blocking; a lost datagram is a gap).
   * The two are measured apart (registry variants).
   */
  readonly delivery?: 'streams' | 'datagrams';
  /**
   * GraphQL only: the carrier of subscriptions — `sse` (default, graphql-sse
   * distinct connections) or `websocket` (graphql-ws, the graphql-transport-ws
   * subprotocol). The two are measured apart (registry variants).
   */
  readonly graphqlCarrier?: 'sse' | 'websocket';
}

/** Where a subscription starts and how it reports loss and reconnections. */
export interface SubscribeOptions {
  /**
   * Resume: deliver only events with a larger seq, starting with those the
   * server still holds in its history. Unset: live events from the moment the
   * server accepts the subscription (see `ready`).
   */
  readonly afterSeq?: bigint;
  /**
   * Called when the server reports that events the subscription should have
   * delivered are gone (its history was exceeded while the client was away).
   * Delivery continues after the gap; the gap is never silent.
   */
  readonly onGap?: (gap: Gap) => void;
  /** Called before each reconnection attempt, with the attempt number (1-based) and the delay chosen. */
  readonly onReconnect?: (attempt: number, delayMs: number) => void;
  /** Aborting closes the subscription, as `close()` does. */
  readonly signal?: AbortSignal;
}

/**
 * A live subscription to one topic. Iterate it to receive events; breaking
 * out of the loop, `close()` or the signal ends it and frees the server side.
 *
 * Contract, the same for every protocol:
 * - Events arrive in seq order; seqs are strictly increasing and, unless a
 *   gap was reported through `onGap`, consecutive (+1). Never a duplicate,
 *   including across reconnections.
 * - A lost connection is re-established with backoff and the subscription
 *   resumes after `lastSeq`; events still in the server's history are not lost.
 * - The iterator throws a ClientError when the subscription cannot continue:
 *   a refusal (INVALID_ARGUMENT, RESOURCE_EXHAUSTED…) or UNAVAILABLE after
 *   `maxAttempts` failed reconnections.
 */
export interface RealtimeSubscription extends AsyncIterable<FeedEvent> {
  readonly topic: string;
  /**
   * Settles once the server has accepted the subscription the first time:
   * every event published after that is delivered. Rejects if it is refused.
   */
  readonly ready: Promise<void>;
  /** The resume point: the last seq delivered or, before any, the seq the server started after. */
  readonly lastSeq: bigint | undefined;
  /** Reconnections so far. */
  readonly reconnects: number;
  close(): void;
}

/**
 * The one realtime client interface. Push protocols differ in how they carry
 * events (WebSocket frames, an SSE stream, long-poll responses, Socket.IO
 * packets, gRPC or WebTransport streams, raw QUIC streams), not in what the
 * bench asks of them, so the bench measures delivery latency (`sentAt`),
 * fan-out, connection counts and recovery without naming a protocol.
 * A protocol without a client-to-server stream leaves `echo` undefined and
 * its registry entry says why; one without its own publish channel publishes
 * over plain HTTP (`POST /publish/{topic}`).
 */
export interface RealtimeClient {
  readonly protocol: ProtocolId;
  readonly transport: TransportId;
  readonly encoding: EncodingId;
  /** Opens the connection(s) — handshakes are never counted in warm figures. */
  connect(): Promise<void>;
  /**
   * Starts a subscription (see RealtimeSubscription for the guarantees). At
   * most one live subscription per topic per client: a second throws
   * ALREADY_EXISTS. N subscribers to one topic are N clients.
   */
  subscribe(topic: string, options?: SubscribeOptions): RealtimeSubscription;
  /** Publishes a payload to `topic` and resolves with the event as published (its seq and sentAt). */
  publish(topic: string, payload: EventPayload): Promise<FeedEvent>;
  /**
   * Bidirectional chat: each message sent is echoed back by the server,
   * stamped with its time, in order. The output ends after the last echo of
   * the input. No resume: a lost connection fails it with UNAVAILABLE.
   */
  echo?(messages: AsyncIterable<ChatMessage>): AsyncIterable<ChatMessage>;
  /** Transport connections this client holds open right now (TCP, QUIC, HTTP/2 sessions). */
  connectionCount?(): number;
  /**
   * QUIC transports only (undefined where the kernel's tcp_info counts): UDP
   * payload bytes this client's connections sent and received, summed over
   * every connection it opened, closed ones included — monotonic, so diff
   * two readings. Same name and shape as the request/response clients'.
   */
  wireCounters?(): WireCounters | undefined;
  /** Ends every subscription and closes every connection. */
  close(): Promise<void>;
}

/** Every realtime protocol's `clients/<protocol>/index.ts` exports one of these as `createRealtimeClient`. */
export type CreateRealtimeClient = (options: RealtimeClientOptions) => RealtimeClient;
