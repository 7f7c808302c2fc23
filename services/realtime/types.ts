import type { ServerHandle, StartOptions } from '../types.js';

/** Sequence numbers a resume asked for that had already left the topic's history: [from, to], inclusive. */
export interface Gap {
  readonly from: bigint;
  readonly to: bigint;
}

/**
 * Per-connection limits of the realtime services. Each protects the process
 * from one kind of abuse or failure; exceeding one closes that connection (or
 * refuses that request), never the server.
 */
export interface RealtimeLimits {
  /** Largest WebSocket message or publish body accepted (WebSocket: close 1009; HTTP: 413). */
  readonly maxPayloadBytes: number;
  /** Topics one WebSocket connection may subscribe to at once (beyond: error + close 1008). */
  readonly maxSubscriptionsPerConnection: number;
  /** A WebSocket with no subscription and no message for this long is closed with 1000. */
  readonly idleTimeoutMs: number;
  /** WebSocket ping interval (no pong by the next ping: terminated) and SSE heartbeat-comment interval. */
  readonly heartbeatMs: number;
  /**
   * Bytes queued in user space for one connection beyond which the server
   * stops forwarding to it until it drains. Not drained within
   * `slowConsumerMs` → a slow consumer: its connection is cut.
   */
  readonly maxBufferedBytes: number;
  readonly slowConsumerMs: number;
  /** The SSE `retry:` field: how long an EventSource waits before reconnecting. */
  readonly retryMs: number;
  /** Longest hold a long-poll may ask for with `timeout=`. */
  readonly maxPollTimeoutMs: number;
  /** Most events in one long-poll response; the rest come with the next poll. */
  readonly maxBatch: number;
}

/** Defaults: generous for benchmarks, still bounded. */
export const DEFAULT_REALTIME_LIMITS: RealtimeLimits = {
  maxPayloadBytes: 1024 * 1024,
  maxSubscriptionsPerConnection: 64,
  idleTimeoutMs: 120_000,
  heartbeatMs: 15_000,
  maxBufferedBytes: 1024 * 1024,
  slowConsumerMs: 5000,
  retryMs: 1000,
  maxPollTimeoutMs: 30_000,
  maxBatch: 1000,
};

/** StartOptions plus the realtime limits; every field optional, so a realtime `start` is a StartServer. */
export interface RealtimeStartOptions extends StartOptions {
  readonly limits?: Partial<RealtimeLimits>;
}

/**
 * What a realtime service returns: a ServerHandle that also reports its
 * live connections, so tests and the bench can check resources are freed and
 * count how many connections one process holds.
 */
export interface RealtimeServerHandle extends ServerHandle {
  /**
   * Live logical connections: open WebSockets, open SSE streams, held
   * long-polls. 0 once every client has gone, however it went.
   */
  connections(): number;
  /**
   * Cuts every client connection at the TCP level (no close frame, no end of
   * stream), as a network failure would; returns how many sockets were cut.
   * Tests use it to exercise reconnection and resume.
   */
  dropConnections(): number;
}

/** The limits in force: defaults, then `options.maxBodyBytes`, then explicit `options.limits`. */
export function resolveLimits(options: RealtimeStartOptions): RealtimeLimits {
  const fromBody = options.maxBodyBytes === undefined ? {} : { maxPayloadBytes: options.maxBodyBytes };
  return { ...DEFAULT_REALTIME_LIMITS, ...fromBody, ...options.limits };
}
