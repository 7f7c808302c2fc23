import { type Client, createClient } from '@connectrpc/connect';
import { createTransport } from '@connectrpc/connect/protocol-connect';
import { type EncodingId, isMultiplexed, type TransportId } from '../../protocols/types.js';
import {
  type ChatMessage,
  type FeedEvent,
  FeedService,
  TopicService,
} from '../../schemas/gen/wirebench/v1/feed_pb.js';
import { toClientError } from '../connect-common/errors.js';
import { ClientError } from '../errors.js';
import { Backoff } from '../realtime/backoff.js';
import type { AttemptSink } from '../realtime/resumable.js';
import { SubscriptionSet } from '../realtime/subscription-set.js';
import { deliverTopicMessage } from '../realtime/topic-message.js';
import type {
  CreateRealtimeClient,
  EventPayload,
  RealtimeClient,
  RealtimeClientOptions,
  RealtimeSubscription,
  SubscribeOptions,
} from '../realtime/types.js';
import { openPushLink, type PushLink } from './link.js';

/**
 * Connect realtime client on connect-es (Connect protocol, JSON or binary
 * protobuf): each subscription is a TopicService.Subscribe server stream —
 * a held response on HTTP/1.1, a stream on the one HTTP/2 session —
 * resumed after its last seq with seeded backoff; publish is the unary
 * Publish; echo is FeedService.Chat, on HTTP/2 only.
 */
class ConnectRealtimeClient implements RealtimeClient {
  readonly protocol = 'connect' as const;
  readonly transport: TransportId;
  readonly encoding: EncodingId;
  readonly echo?: (messages: AsyncIterable<ChatMessage>) => AsyncIterable<ChatMessage>;
  private readonly link: PushLink;
  private readonly topics: Client<typeof TopicService>;
  private readonly feed: Client<typeof FeedService>;
  private readonly backoff: Backoff;
  private readonly subs = new SubscriptionSet();
  /** Calls in flight, so `close()` can cancel them. */
  private readonly active = new Set<AbortController>();
  private shut = false;

  constructor(options: RealtimeClientOptions) {
    if (options.encoding !== 'json' && options.encoding !== 'proto') {
      throw new Error(`connect: expected encoding json or proto, got ${options.encoding}`);
    }
    this.transport = options.transport;
    this.encoding = options.encoding;
    this.backoff = new Backoff(options.reconnect);
    this.link = openPushLink('connect', options);
    const transport = createTransport({
      baseUrl: options.url,
      httpClient: this.link.httpClient,
      useBinaryFormat: options.encoding === 'proto',
      interceptors: [],
      acceptCompression: [],
      compressMinBytes: Number.MAX_SAFE_INTEGER,
      readMaxBytes: 64 * 1024 * 1024,
      writeMaxBytes: 64 * 1024 * 1024,
      sendCompression: null,
    });
    this.topics = createClient(TopicService, transport);
    this.feed = createClient(FeedService, transport);
    // Connect bidi streaming needs HTTP/2: connect-es refuses it on HTTP/1.1 (505), so no echo there.
    if (isMultiplexed(options.transport)) this.echo = (messages) => this.chat(messages);
  }

  connect(): Promise<void> {
    if (this.shut) return Promise.reject(closedError('connect'));
    return this.link.connect();
  }

  subscribe(topic: string, options: SubscribeOptions = {}): RealtimeSubscription {
    return this.subs.openResumable(topic, options, this.backoff, (after, sink, signal) =>
      this.attempt(topic, after, sink, signal),
    );
  }

  async publish(topic: string, payload: EventPayload): Promise<FeedEvent> {
    if (this.shut) throw closedError('publish');
    const call = this.track();
    try {
      return await this.topics.publish({ topic, payload }, { signal: call.signal });
    } catch (error) {
      throw toClientError('connect', error);
    } finally {
      this.active.delete(call);
    }
  }

  connectionCount(): number {
    return this.shut ? 0 : this.link.connectionCount();
  }

  async close(): Promise<void> {
    this.shut = true;
    this.subs.closeAll();
    for (const call of this.active) call.abort();
    this.link.close();
  }

  private async *chat(messages: AsyncIterable<ChatMessage>): AsyncGenerator<ChatMessage> {
    if (this.shut) throw closedError('echo');
    const call = this.track();
    try {
      yield* this.feed.chat(messages, { signal: call.signal });
    } catch (error) {
      throw toClientError('connect', error);
    } finally {
      call.abort();
      this.active.delete(call);
    }
  }

  /**
   * One Subscribe stream: `subscribed` marks acceptance, `gap` reports loss,
   * events go to the sink. Resolves when the server ends the stream, rejects
   * with its error otherwise; the signal cancels the request.
   */
  private async attempt(topic: string, after: bigint | undefined, sink: AttemptSink, signal: AbortSignal) {
    if (this.shut || signal.aborted) return;
    try {
      for await (const message of this.topics.subscribe({ topic, afterSeq: after }, { signal })) {
        deliverTopicMessage(sink, message);
      }
    } catch (error) {
      throw toClientError('connect', error);
    }
  }

  private track(): AbortController {
    const call = new AbortController();
    this.active.add(call);
    return call;
  }
}

function closedError(what: string): ClientError {
  return new ClientError('CANCELLED', `connect ${what}: the client is closed`);
}

/** The Connect realtime client factory. */
export const createRealtimeClient: CreateRealtimeClient = (options) => new ConnectRealtimeClient(options);
