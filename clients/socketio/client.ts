import { create, toJson } from '@bufbuild/protobuf';
import type { TransportId } from '../../protocols/types.js';
import {
  type ChatMessage,
  ChatMessageSchema,
  type FeedEvent,
  FeedEventSchema,
} from '../../schemas/gen/wirebench/v1/feed_pb.js';
import {
  chatMessageOf,
  feedEventOf,
  SIO_EVENTS,
  subscribedOf,
  wireErrorOf,
} from '../../services/socketio/protocol.js';
import { ClientError } from '../errors.js';
import { Backoff } from '../realtime/backoff.js';
import { EchoStream } from '../realtime/echo-stream.js';
import { type AttemptSink, resumableSubscription } from '../realtime/resumable.js';
import { SubscriptionSet } from '../realtime/subscription-set.js';
import type {
  CreateRealtimeClient,
  EventPayload,
  RealtimeClient,
  RealtimeClientOptions,
  RealtimeSubscription,
  SubscribeOptions,
} from '../realtime/types.js';
import { errorOf, SioConnection } from './connection.js';

/**
 * Socket.IO client (socket.io-client 4): one connection carries every
 * subscription (one per topic), publishes and the chat echo, over the one
 * engine.io transport `options.socketio.transport` names — `websocket`
 * (default) or `polling`, never upgraded, so each is measured on its own.
 * When the connection is lost, each subscription redials with the project's
 * seeded backoff (socket.io-client's reconnection is off, see SioConnection)
 * and resubscribes after its last seq.
 */
class SocketIoClient implements RealtimeClient {
  readonly protocol = 'socketio' as const;
  readonly transport: TransportId;
  readonly encoding = 'json' as const;
  private readonly conn: SioConnection;
  private readonly backoff: Backoff;
  private readonly routes = new Map<string, AttemptSink>();
  private readonly subs = new SubscriptionSet();
  private echoStream: EchoStream | undefined;

  constructor(options: RealtimeClientOptions) {
    this.transport = options.transport;
    this.backoff = new Backoff(options.reconnect);
    this.conn = new SioConnection(options.url, options.socketio?.transport ?? 'websocket', options.caPem, {
      event: (json) => this.onEvent(json),
      chat: (json) => this.onChat(json),
      failure: (json) => this.onFailure(json),
    });
  }

  async connect(): Promise<void> {
    await this.conn.open();
  }

  subscribe(topic: string, options: SubscribeOptions = {}): RealtimeSubscription {
    return this.subs.open(
      topic,
      (onEnd) =>
        resumableSubscription(
          topic,
          options,
          this.backoff,
          (after, sink, signal) => this.attempt(topic, after, sink, signal),
          onEnd,
        ),
      () => this.forget(topic),
    );
  }

  async publish(topic: string, payload: EventPayload): Promise<FeedEvent> {
    const socket = await this.conn.open();
    const event = toJson(FeedEventSchema, create(FeedEventSchema, { payload }));
    return new Promise((resolve, reject) =>
      this.conn.request(
        socket,
        SIO_EVENTS.publish,
        { topic, event },
        (reply) => {
          try {
            resolve(feedEventOf((reply as { event?: unknown }).event, 'publish ack'));
          } catch (error) {
            reject(new ClientError('INTERNAL', (error as Error).message));
          }
        },
        reject,
      ),
    );
  }

  async *echo(messages: AsyncIterable<ChatMessage>): AsyncGenerator<ChatMessage> {
    if (this.echoStream)
      throw new ClientError('ALREADY_EXISTS', 'echo: expected one chat stream per connection at a time');
    const socket = await this.conn.open();
    const link = {
      send: (message: ChatMessage) =>
        this.conn.send(socket, SIO_EVENTS.chat, toJson(ChatMessageSchema, message)),
      closed: this.conn.closed(socket),
    };
    const stream = new EchoStream(link, messages);
    this.echoStream = stream;
    try {
      yield* stream;
    } finally {
      if (this.echoStream === stream) this.echoStream = undefined;
    }
  }

  connectionCount(): number {
    return this.conn.connectionCount();
  }

  async close(): Promise<void> {
    this.subs.closeAll();
    this.echoStream?.fail(new ClientError('CANCELLED', 'echo: the client closed'));
    await this.conn.close();
  }

  /** Subscribes on the current connection and holds until it is lost or the user closes. */
  private async attempt(topic: string, after: bigint | undefined, sink: AttemptSink, signal: AbortSignal) {
    const socket = await this.conn.open();
    // Closed while dialling: subscribing now would outlive the subscription (its unsubscribe already ran).
    if (signal.aborted) return;
    this.routes.set(topic, sink);
    try {
      await new Promise<void>((resolve, reject) =>
        this.conn.request(
          socket,
          SIO_EVENTS.subscribe,
          after === undefined ? { topic } : { topic, afterSeq: String(after) },
          (reply) => {
            // Runs as the ack arrives, before the events behind it in the same read.
            let accepted: ReturnType<typeof subscribedOf>;
            try {
              accepted = subscribedOf(reply);
            } catch (error) {
              return reject(new ClientError('INTERNAL', (error as Error).message));
            }
            sink.ready(accepted.lastSeq);
            if (accepted.gap) sink.gap(accepted.gap);
            resolve();
          },
          reject,
        ),
      );
      await this.conn.held(socket, signal);
    } finally {
      if (this.routes.get(topic) === sink) this.routes.delete(topic);
    }
  }

  /**
   * The subscription ended: unsubscribe at once (synchronously, so a new
   * subscription to the same topic cannot overtake the unsubscribe on the wire).
   */
  private forget(topic: string): void {
    if (!this.routes.delete(topic)) return;
    const socket = this.conn.current;
    if (socket)
      this.conn.request(
        socket,
        SIO_EVENTS.unsubscribe,
        { topic },
        () => {},
        () => {},
      );
  }

  private onEvent(json: unknown): void {
    let event: FeedEvent;
    try {
      event = feedEventOf(json, 'event');
    } catch {
      // The server broke the protocol: drop the connection; subscriptions resume on a new one.
      return void this.conn.current?.disconnect();
    }
    this.routes.get(event.topic)?.event(event);
  }

  private onChat(json: unknown): void {
    const echo = this.echoStream;
    if (!echo) return;
    try {
      echo.deliver(chatMessageOf(json));
    } catch (error) {
      echo.fail(new ClientError('INTERNAL', (error as Error).message));
    }
  }

  private onFailure(json: unknown): void {
    const refused = wireErrorOf(json);
    if (refused) this.echoStream?.fail(errorOf(refused));
  }
}

/** The Socket.IO realtime client factory. */
export const createRealtimeClient: CreateRealtimeClient = (options) => new SocketIoClient(options);
