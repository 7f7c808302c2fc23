import type { PercentilesMs } from '../stats/latency-histogram.js';

/**
 * The `connections` scenario's record: how many connections one server
 * process held and what each cost it. Memory is the services process's own
 * (`process.memoryUsage()` after a full GC), read before the ramp and with
 * every client connected; per connection = the difference / held.
 */
export interface ConnectionsRecord {
  /** Clients the profile asked for. */
  readonly target: number;
  /** Clients whose subscription the server accepted. */
  readonly held: number;
  readonly failed: number;
  readonly firstFailure?: string;
  /** Live connections the server itself counted with every client connected. */
  readonly serverLive: number;
  /** Clients connecting at once during the ramp. */
  readonly batch: number;
  /** From a client's connect() to its subscription accepted. */
  readonly establishMs: PercentilesMs;
  readonly rampS: number;
  readonly memoryBefore: { readonly rss: number; readonly heapUsed: number };
  readonly memoryHeld: { readonly rss: number; readonly heapUsed: number };
  readonly rssBytesPerConnection: number | null;
  readonly heapBytesPerConnection: number | null;
  /** Whether the heap figures are after a full GC (the services run with --expose-gc). */
  readonly gc: boolean;
  /** Held subscribers that received the one check event published after the ramp. */
  readonly checkDelivered: number;
  /** Live connections on the server once every client had closed (0 unless something leaked). */
  readonly serverLiveAfterClose: number;
}

/**
 * The `reconnect-storm` scenario's record: the server cut every connection
 * at once; how the clients came back. Recovery of a client = from the cut to
 * the arrival of its first event published after the cut (it can only arrive
 * once that client has resubscribed).
 */
export interface ReconnectStormRecord {
  readonly subscribers: number;
  /** Sockets the server cut. */
  readonly dropped: number;
  /** The protocol's resume mechanism (from the realtime registry). */
  readonly resume: string;
  readonly eventsBefore: number;
  readonly eventsDuring: number;
  /** Milliseconds from the cut to the first post-cut publish call (recovery cannot be shorter). */
  readonly firstPublishAfterCutMs: number;
  /** Per client; `count` = clients that recovered. */
  readonly recoveryMs: PercentilesMs;
  readonly recovered: number;
  /** Published events some subscriber never received (must be 0 where the protocol resumes). */
  readonly lost: number;
  readonly duplicates: number;
  /** Gaps the server reported (history exceeded). */
  readonly gaps: number;
  /** Reconnection attempts, summed over clients, and their per-client maximum. */
  readonly reconnectAttempts: number;
  readonly maxAttemptsPerClient: number;
  /** Subscriptions that failed for good (gave up after maxAttempts, or were refused). */
  readonly failedSubscriptions: number;
  /** Backoff jitter: client i draws from seed + i (xoroshiro128+). */
  readonly backoffSeed: number;
}
