import type { EncodingId, TransportId } from '../../protocols/types.js';
import type { ChatMessage, FeedEvent } from '../../schemas/gen/wirebench/v1/feed_pb.js';
import { AsyncQueue } from '../../services/realtime/async-queue.js';
import type { ServerFrame } from '../../services/websocket/frame-types.js';
import { ClientError } from '../errors.js';
import { Backoff } from '../realtime/backoff.js';
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
import { errorOf, WsConnection } from './connection.js';

interface EchoState {
  readonly out: AsyncQueue<ChatMessage>;
  sent: number;
  received: number;
  inputDone: boolean;
}

/**
 * WebSocket client: one connection carries every subscription (one per
 * topic), publishes and the chat echo, in JSON or binary protobuf frames
 * (`options.encoding`). When the connection is lost, each subscription
 * redials with seeded backoff and resubscribes after its last seq.
 */
class WebSocketClient implements RealtimeClient {
  readonly protocol = 'websocket' as const;
  readonly transport: TransportId;
  readonly encoding: EncodingId;
  private readonly conn: WsConnection;
  private readonly backoff: Backoff;
  private readonly routes = new Map<string, AttemptSink>();
  private readonly subs = new SubscriptionSet();
  private echoState: EchoState | undefined;

  constructor(options: RealtimeClientOptions) {
    this.transport = options.transport;
    this.encoding = options.encoding;
    this.backoff = new Backoff(options.reconnect);
    this.conn = new WsConnection(options.url, options.encoding, options.caPem, (frame) =>
      this.onFrame(frame),
    );
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
    const ws = await this.conn.open();
    return new Promise((resolve, reject) =>
      this.conn.request(
        ws,
        (id) => ({ type: 'publish', id, topic, payload }),
        (reply) => (reply.type === 'published' ? resolve(reply.event) : reject(errorOf(reply))),
        reject,
      ),
    );
  }

  async *echo(messages: AsyncIterable<ChatMessage>): AsyncGenerator<ChatMessage> {
    if (this.echoState)
      throw new ClientError('ALREADY_EXISTS', 'echo: expected one chat stream per connection at a time');
    const ws = await this.conn.open();
    const state: EchoState = { out: new AsyncQueue(), sent: 0, received: 0, inputDone: false };
    this.echoState = state;
    void this.conn
      .closed(ws)
      .then(() => state.out.fail(new ClientError('UNAVAILABLE', 'echo: connection lost')));
    void (async () => {
      for await (const message of messages) {
        if (state.out.ended) return;
        this.conn.send(ws, { type: 'echo', message });
        state.sent++;
      }
      state.inputDone = true;
      if (state.received === state.sent) state.out.end();
    })().catch((error: unknown) => state.out.fail(error));
    try {
      yield* state.out;
    } finally {
      if (this.echoState === state) this.echoState = undefined;
    }
  }

  connectionCount(): number {
    return this.conn.isOpen ? 1 : 0;
  }

  async close(): Promise<void> {
    this.subs.closeAll();
    this.echoState?.out.fail(new ClientError('CANCELLED', 'echo: the client closed'));
    await this.conn.close();
  }

  /** Subscribes on the current connection and holds until it is lost or the user closes. */
  private async attempt(topic: string, after: bigint | undefined, sink: AttemptSink, signal: AbortSignal) {
    const ws = await this.conn.open();
    // Closed while dialling: subscribing now would outlive the subscription (its unsubscribe already ran).
    if (signal.aborted) return;
    this.routes.set(topic, sink);
    try {
      await new Promise<void>((resolve, reject) =>
        this.conn.request(
          ws,
          (id) => ({ type: 'subscribe', id, topic, ...(after === undefined ? {} : { afterSeq: after }) }),
          (reply) => {
            if (reply.type !== 'subscribed') return reject(errorOf(reply));
            sink.ready(reply.lastSeq);
            if (reply.gap) sink.gap(reply.gap);
            resolve();
          },
          reject,
        ),
      );
      await closedOrAborted(this.conn.closed(ws), signal);
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
    const ws = this.conn.current;
    if (ws)
      this.conn.request(
        ws,
        (id) => ({ type: 'unsubscribe', id, topic }),
        () => {},
        () => {},
      );
  }

  private onFrame(frame: ServerFrame): void {
    if (frame.type === 'event') {
      this.routes.get(frame.event.topic)?.event(frame.event);
      return;
    }
    const echo = this.echoState;
    if (frame.type === 'echo' && echo) {
      echo.out.push(frame.message);
      echo.received++;
      if (echo.inputDone && echo.received === echo.sent) echo.out.end();
    } else if (frame.type === 'error' && echo) {
      echo.out.fail(errorOf(frame));
    }
  }
}

/** Settles when `closed` does or `signal` aborts, leaving no listener behind. */
function closedOrAborted(closed: Promise<void>, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const done = (): void => {
      signal.removeEventListener('abort', done);
      resolve();
    };
    signal.addEventListener('abort', done, { once: true });
    void closed.then(done);
  });
}

/** The WebSocket realtime client factory. */
export const createRealtimeClient: CreateRealtimeClient = (options) => new WebSocketClient(options);
