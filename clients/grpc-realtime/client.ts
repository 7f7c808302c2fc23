import type { MessageInitShape } from '@bufbuild/protobuf';
import { Client, connectivityState } from '@grpc/grpc-js';
import type { TransportId } from '../../protocols/types.js';
import {
  type ChatMessage,
  type FeedEvent,
  FeedService,
  type SubscribeRequestSchema,
  type TopicMessage,
  TopicService,
} from '../../schemas/gen/wirebench/v1/feed_pb.js';
import { clientMethodDefinition } from '../../services/grpc/service-definition.js';
import { ClientError } from '../errors.js';
import { type ActiveCalls, attach, pump, readAll } from '../grpc/call-plumbing.js';
import { CHANNEL_OPTIONS, channelCredentials } from '../grpc/channel.js';
import { toClientError } from '../grpc/errors.js';
import { Backoff, RECONNECT_DEFAULTS } from '../realtime/backoff.js';
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

/** How long `connect()` waits for the HTTP/2 (and TLS) handshake. */
const CONNECT_TIMEOUT_MS = 10_000;

const SUBSCRIBE = clientMethodDefinition(TopicService.method.subscribe);
const PUBLISH = clientMethodDefinition(TopicService.method.publish);
const CHAT = clientMethodDefinition(FeedService.method.chat);

/**
 * gRPC realtime client on grpc-js (h2c, h2; binary protobuf): each
 * subscription is a TopicService.Subscribe server stream on the client's one
 * HTTP/2 connection, resumed after its last seq with seeded backoff when the
 * stream or the connection is lost; publish is the unary Publish; echo is
 * the bidirectional Chat.
 */
class GrpcRealtimeClient implements RealtimeClient {
  readonly protocol = 'grpc' as const;
  readonly transport: TransportId;
  readonly encoding = 'proto' as const;
  private readonly client: Client;
  private readonly backoff: Backoff;
  private readonly subs = new SubscriptionSet();
  private readonly active: ActiveCalls = new Set();
  private shut = false;

  constructor(private readonly options: RealtimeClientOptions) {
    if (options.encoding !== 'proto')
      throw new Error(`grpc: expected encoding proto, got ${options.encoding}`);
    this.transport = options.transport;
    this.backoff = new Backoff(options.reconnect);
    const reconnect = options.reconnect ?? {};
    this.client = new Client(new URL(options.url).host, channelCredentials(options), {
      ...CHANNEL_OPTIONS,
      // The resume loop owns the reconnection schedule; grpc-js's own (1 s first) would stack on it.
      'grpc.initial_reconnect_backoff_ms': reconnect.initialDelayMs ?? RECONNECT_DEFAULTS.initialDelayMs,
      'grpc.max_reconnect_backoff_ms': reconnect.maxDelayMs ?? RECONNECT_DEFAULTS.maxDelayMs,
    });
  }

  connect(): Promise<void> {
    if (this.shut) return Promise.reject(closedError('connect'));
    return new Promise((resolve, reject) => {
      this.client.waitForReady(Date.now() + CONNECT_TIMEOUT_MS, (error) => {
        if (!error) return resolve();
        reject(
          new ClientError('UNAVAILABLE', `grpc: could not connect to ${this.options.url}: ${error.message}`),
        );
      });
    });
  }

  subscribe(topic: string, options: SubscribeOptions = {}): RealtimeSubscription {
    return this.subs.openResumable(topic, options, this.backoff, (after, sink, signal) =>
      this.attempt(topic, after, sink, signal),
    );
  }

  publish(topic: string, payload: EventPayload): Promise<FeedEvent> {
    if (this.shut) return Promise.reject(closedError('publish'));
    return new Promise((resolve, reject) => {
      let detach = (): void => {};
      const call = this.client.makeUnaryRequest(
        PUBLISH.path,
        PUBLISH.requestSerialize,
        PUBLISH.responseDeserialize,
        { topic, payload },
        (error, value) => {
          detach();
          if (error || !value) reject(toClientError(error));
          else resolve(value);
        },
      );
      detach = attach(call, {}, this.active);
    });
  }

  async *echo(messages: AsyncIterable<ChatMessage>): AsyncGenerator<ChatMessage> {
    if (this.shut) throw closedError('echo');
    const call = this.client.makeBidiStreamRequest(
      CHAT.path,
      CHAT.requestSerialize,
      CHAT.responseDeserialize,
    );
    const detach = attach(call, {}, this.active);
    let inputError: unknown;
    void pump(messages, call, (error) => {
      inputError = error;
    });
    yield* readAll<ChatMessage>(call, detach, () => inputError);
  }

  connectionCount(): number {
    if (this.shut) return 0;
    return this.client.getChannel().getConnectivityState(false) === connectivityState.READY ? 1 : 0;
  }

  async close(): Promise<void> {
    this.shut = true;
    this.subs.closeAll();
    for (const call of this.active) call.cancel();
    this.client.close();
  }

  /**
   * One Subscribe stream: `subscribed` marks acceptance, `gap` reports loss,
   * events go to the sink. Resolves when the server ends the stream, rejects
   * with the stream's status otherwise; the signal cancels it.
   */
  private async attempt(topic: string, after: bigint | undefined, sink: AttemptSink, signal: AbortSignal) {
    if (this.shut || signal.aborted) return;
    const request: MessageInitShape<typeof SubscribeRequestSchema> = { topic, afterSeq: after };
    const call = this.client.makeServerStreamRequest(
      SUBSCRIBE.path,
      SUBSCRIBE.requestSerialize,
      SUBSCRIBE.responseDeserialize,
      request,
    );
    const detach = attach(call, { signal }, this.active);
    for await (const message of readAll<TopicMessage>(call, detach)) {
      deliverTopicMessage(sink, message);
    }
  }
}

function closedError(what: string): ClientError {
  return new ClientError('CANCELLED', `grpc ${what}: the client is closed`);
}

/** The gRPC realtime client factory. */
export const createRealtimeClient: CreateRealtimeClient = (options) => new GrpcRealtimeClient(options);
