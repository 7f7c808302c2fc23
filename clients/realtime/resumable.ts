import type { FeedEvent } from '../../schemas/gen/wirebench/v1/feed_pb.js';
import { AsyncQueue } from '../../services/realtime/async-queue.js';
import { ClientError, type ClientErrorCode } from '../errors.js';
import { type Backoff, sleep } from './backoff.js';
import type { Gap, RealtimeSubscription, SubscribeOptions } from './types.js';

/** What one connection attempt reports to its subscription. */
export interface AttemptSink {
  /** The server accepted the subscription; it starts after `lastSeq`. */
  ready(lastSeq: bigint): void;
  event(event: FeedEvent): void;
  gap(gap: Gap): void;
  /** The server's suggested reconnection delay (SSE `retry:`). */
  retryHint(ms: number): void;
}

/**
 * One connection attempt of a protocol: subscribe after `afterSeq` (undefined:
 * live), report to `sink`, and settle when the stream ends — resolve when the
 * server ended it, reject on failure. `signal` aborts when the user closes.
 */
export type Attempt = (afterSeq: bigint | undefined, sink: AttemptSink, signal: AbortSignal) => Promise<void>;

/** Refusals that another attempt would only repeat. */
const FINAL: ReadonlySet<ClientErrorCode> = new Set([
  'INVALID_ARGUMENT',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'UNIMPLEMENTED',
  // An explicit refusal (too many subscriptions); a slow consumer is cut instead, which reads as UNAVAILABLE.
  'RESOURCE_EXHAUSTED',
]);

/**
 * The resume loop every realtime client shares, so the RealtimeSubscription
 * contract holds whatever the protocol:
 *
 * 1. Run an attempt from the resume point (`lastSeq`).
 * 2. Deliver its events, dropping any seq at or below `lastSeq` — a replay
 *    overlapping what already arrived never shows as a duplicate.
 * 3. When it ends or fails (unless the failure is final or the user closed),
 *    wait the backoff delay and go to 1. An attempt the server accepted
 *    resets the failure count; `maxAttempts` failures in a row end the
 *    subscription with UNAVAILABLE.
 */
export function resumableSubscription(
  topic: string,
  options: SubscribeOptions,
  backoff: Backoff,
  attempt: Attempt,
  /** Called once when the subscription ends, however it ends (clients forget it then). */
  onEnd?: () => void,
): RealtimeSubscription {
  const abort = new AbortController();
  const queue = new AsyncQueue<FeedEvent>(() => close());
  let lastSeq = options.afterSeq;
  let reconnects = 0;
  let hintMs: number | undefined;
  let accepted = false;
  let settleReady!: (error?: unknown) => void;
  const ready = new Promise<void>((resolve, reject) => {
    settleReady = (error) => (error === undefined ? resolve() : reject(error));
  });
  ready.catch(() => {});

  function close(): void {
    if (abort.signal.aborted) return;
    abort.abort();
    options.signal?.removeEventListener('abort', close);
    queue.end();
    onEnd?.();
    if (!accepted)
      settleReady(
        new ClientError('CANCELLED', `subscription ${topic}: closed before the server accepted it`),
      );
  }
  function fail(error: unknown): void {
    queue.fail(error);
    if (!accepted) settleReady(error);
    abort.abort();
    options.signal?.removeEventListener('abort', close);
    onEnd?.();
  }

  async function run(): Promise<void> {
    let failures = 0;
    while (!abort.signal.aborted) {
      let acceptedNow = false;
      const sink: AttemptSink = {
        ready: (seq) => {
          acceptedNow = true;
          lastSeq ??= seq;
          if (!accepted) {
            accepted = true;
            settleReady();
          }
        },
        event: (event) => {
          if (lastSeq !== undefined && event.seq <= lastSeq) return;
          lastSeq = event.seq;
          queue.push(event);
        },
        gap: (gap) => options.onGap?.(gap),
        retryHint: (ms) => {
          hintMs = ms;
        },
      };
      try {
        await attempt(lastSeq, sink, abort.signal);
      } catch (error) {
        if (abort.signal.aborted) break;
        if (error instanceof ClientError && FINAL.has(error.code)) return fail(error);
      }
      if (abort.signal.aborted) break;
      if (acceptedNow) failures = 0;
      if (failures >= backoff.maxAttempts) {
        const message = `subscription ${topic}: expected to reconnect within ${backoff.maxAttempts} attempts, got no connection`;
        return fail(new ClientError('UNAVAILABLE', message));
      }
      const delay = backoff.delayMs(failures, hintMs);
      failures++;
      reconnects++;
      options.onReconnect?.(reconnects, delay);
      await sleep(delay, abort.signal);
    }
    queue.end();
  }

  if (options.signal?.aborted) close();
  else options.signal?.addEventListener('abort', close, { once: true });
  void run();
  return {
    topic,
    ready,
    get lastSeq() {
      return lastSeq;
    },
    get reconnects() {
      return reconnects;
    },
    close,
    [Symbol.asyncIterator]: () => queue[Symbol.asyncIterator](),
  };
}
