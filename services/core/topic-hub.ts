import { create } from '@bufbuild/protobuf';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import { type FeedEvent, FeedEventSchema } from '../../schemas/gen/wirebench/v1/feed_pb.js';
import { CoreError, expectArg } from './errors.js';

/** What a publisher sends; the hub assigns the sequence number and the send time. */
export type EventPayload = FeedEvent['payload'];

export interface TopicHubOptions {
  /** Events kept per topic for resume (SSE Last-Event-ID, Socket.IO recovery). */
  readonly historyPerTopic?: number;
  /** Live events buffered per subscriber before it counts as a slow consumer and is dropped. */
  readonly maxQueuedPerSubscriber?: number;
  readonly maxSubscribersPerTopic?: number;
  readonly nowMs?: () => number;
}

/** A live subscription: events in sequence order, plus what resuming could not deliver. */
export interface Subscription extends AsyncIterable<FeedEvent> {
  /** Sequence numbers asked for on resume that had already left the history: [from, to], inclusive. */
  readonly gap: readonly [bigint, bigint] | undefined;
  close(): void;
}

interface Topic {
  nextSeq: bigint;
  readonly history: FeedEvent[];
  readonly subscribers: Set<Subscriber>;
}

interface Subscriber {
  readonly queue: FeedEvent[];
  wake: (() => void) | undefined;
  error: CoreError | undefined;
  closed: boolean;
}

/**
 * Publish/subscribe over named topics — the realtime surface every push
 * protocol (WebSocket, SSE, long-polling, Socket.IO, gRPC streams,
 * WebTransport, QUIC) adapts. Per topic, sequence numbers start at 1 and have
 * no holes, so a receiver detects loss, duplication and reordering by seq
 * alone, and delivery latency from `sentAt`. A bounded history lets a
 * reconnecting client resume from its last seq; what fell out of it is
 * reported as a gap, never silently skipped.
 */
export class TopicHub {
  private readonly topics = new Map<string, Topic>();
  private readonly historyPerTopic: number;
  private readonly maxQueued: number;
  private readonly maxSubscribers: number;
  private readonly nowMs: () => number;

  constructor(options: TopicHubOptions = {}) {
    this.historyPerTopic = options.historyPerTopic ?? 1024;
    this.maxQueued = options.maxQueuedPerSubscriber ?? 10_000;
    this.maxSubscribers = options.maxSubscribersPerTopic ?? 100_000;
    this.nowMs = options.nowMs ?? Date.now;
  }

  /** Publishes to every current subscriber of `topic`; returns the event as sent. */
  publish(topic: string, payload: EventPayload): FeedEvent {
    expectArg(topic !== '', 'topic', 'a topic name', topic);
    const t = this.topic(topic);
    const event = create(FeedEventSchema, {
      seq: t.nextSeq++,
      topic,
      sentAt: timestampFromMs(this.nowMs()),
      payload,
    });
    t.history.push(event);
    if (t.history.length > this.historyPerTopic) t.history.shift();
    for (const sub of t.subscribers) this.deliver(t, sub, event);
    return event;
  }

  /**
   * Subscribes to `topic`. With `afterSeq`, first replays retained events with
   * a larger seq (resume), then continues live, without duplicates.
   */
  subscribe(topic: string, options: { afterSeq?: bigint; signal?: AbortSignal } = {}): Subscription {
    expectArg(topic !== '', 'topic', 'a topic name', topic);
    const t = this.topic(topic);
    if (t.subscribers.size >= this.maxSubscribers) {
      throw new CoreError(
        'RESOURCE_EXHAUSTED',
        `topic ${topic}: expected fewer than ${this.maxSubscribers} subscribers, got more`,
      );
    }
    const sub: Subscriber = { queue: [], wake: undefined, error: undefined, closed: false };
    let gap: [bigint, bigint] | undefined;
    if (options.afterSeq !== undefined) {
      const oldest = t.history[0]?.seq ?? t.nextSeq;
      if (options.afterSeq + 1n < oldest) gap = [options.afterSeq + 1n, oldest - 1n];
      for (const e of t.history) if (e.seq > options.afterSeq) sub.queue.push(e);
    }
    t.subscribers.add(sub);
    const close = (): void => {
      sub.closed = true;
      t.subscribers.delete(sub);
      sub.wake?.();
    };
    options.signal?.addEventListener('abort', close, { once: true });
    return {
      gap,
      close,
      [Symbol.asyncIterator]: () => iterate(sub, close),
    };
  }

  /** Current subscriber count of a topic (0 when unknown): tests assert resources are freed. */
  subscriberCount(topic?: string): number {
    if (topic !== undefined) return this.topics.get(topic)?.subscribers.size ?? 0;
    let n = 0;
    for (const t of this.topics.values()) n += t.subscribers.size;
    return n;
  }

  /** The seq the next event on `topic` will get. */
  nextSeq(topic: string): bigint {
    return this.topics.get(topic)?.nextSeq ?? 1n;
  }

  private topic(name: string): Topic {
    let t = this.topics.get(name);
    if (!t) {
      t = { nextSeq: 1n, history: [], subscribers: new Set() };
      this.topics.set(name, t);
    }
    return t;
  }

  private deliver(t: Topic, sub: Subscriber, event: FeedEvent): void {
    if (sub.queue.length >= this.maxQueued) {
      // A slow consumer: drop it rather than let its queue grow without bound.
      sub.error = new CoreError(
        'RESOURCE_EXHAUSTED',
        `subscriber: expected to keep up within ${this.maxQueued} queued events, got behind`,
      );
      t.subscribers.delete(sub);
    } else {
      sub.queue.push(event);
    }
    sub.wake?.();
  }
}

async function* iterate(sub: Subscriber, close: () => void): AsyncGenerator<FeedEvent> {
  try {
    for (;;) {
      const next = sub.queue.shift();
      if (next) {
        yield next;
        continue;
      }
      if (sub.error) throw sub.error;
      if (sub.closed) return;
      await new Promise<void>((resolve) => {
        sub.wake = resolve;
      });
      sub.wake = undefined;
    }
  } finally {
    close();
  }
}
