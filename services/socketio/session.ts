import type { JsonObject } from '@bufbuild/protobuf';
import type { Socket } from 'socket.io';
import type { ChatMessage, FeedEvent } from '../../schemas/gen/wirebench/v1/feed_pb.js';
import { CoreError, type FeedCore, type Subscription } from '../core/index.js';
import { AsyncQueue } from '../realtime/async-queue.js';
import { drainWithin } from '../realtime/http-util.js';
import type { RealtimeLimits } from '../realtime/types.js';
import {
  CLIENT_EVENTS,
  chatMessageOf,
  chatObject,
  eventObject,
  feedEventOf,
  objectOf,
  SIO_EVENTS,
  SioProtocolError,
  seqOf,
  subscribedJson,
  topicOf,
  topicProblem,
  type WireError,
} from './protocol.js';
import { cutConnection, QueueMeter } from './queue-meter.js';

/** A Socket.IO acknowledgement: the reply to one request. */
type Ack = (reply: object) => void;

/**
 * One Socket.IO connection: its subscriptions, its chat pipe and its limits.
 * Every way it can end — client disconnect, network loss, a protocol
 * violation, a slow consumer, idleness, server shutdown — ends in Socket.IO's
 * `disconnect`, and that runs `dispose`, which closes the hub subscriptions.
 */
export class SioSession {
  private readonly subs = new Map<string, Subscription>();
  private readonly idle: NodeJS.Timeout;
  private readonly queue: QueueMeter;
  private chat: AsyncQueue<ChatMessage> | undefined;

  constructor(
    readonly socket: Socket,
    private readonly core: FeedCore,
    private readonly limits: RealtimeLimits,
  ) {
    this.queue = new QueueMeter(socket.conn);
    // Every incoming event refreshes the idle timer; an event name outside the protocol is a violation.
    socket.use(([name], next) => {
      this.idle.refresh();
      if (CLIENT_EVENTS.has(String(name))) return next();
      this.violation(`event: expected subscribe, unsubscribe, publish or chat, got ${JSON.stringify(name)}`);
    });
    socket.on(SIO_EVENTS.subscribe, (...args: unknown[]) =>
      this.request(args, (p, ack) => this.subscribe(p, ack)),
    );
    socket.on(SIO_EVENTS.unsubscribe, (...args: unknown[]) =>
      this.request(args, (p, ack) => this.unsubscribe(p, ack)),
    );
    socket.on(SIO_EVENTS.publish, (...args: unknown[]) =>
      this.request(args, (p, ack) => this.publish(p, ack)),
    );
    socket.on(SIO_EVENTS.chat, (message: unknown) => this.guard(() => this.echo(chatMessageOf(message))));
    socket.once('disconnect', () => this.dispose());
    this.idle = setTimeout(() => this.onIdle(), limits.idleTimeoutMs);
  }

  /** A request: a payload object and an acknowledgement to reply with; anything else is a violation. */
  private request(args: unknown[], handle: (payload: JsonObject, ack: Ack) => void): void {
    const ack = args.at(-1);
    if (typeof ack !== 'function') {
      return void this.violation(
        'request: expected an acknowledgement callback (emit with a reply), got none',
      );
    }
    try {
      handle(objectOf(args[0], 'request'), ack as Ack);
    } catch (error) {
      if (!(error instanceof SioProtocolError)) throw error;
      // Undecodable data breaks the protocol: say why in the reply, then disconnect.
      (ack as Ack)({ error: { code: 'INVALID_ARGUMENT', message: error.message } });
      this.socket.disconnect(true);
    }
  }

  private guard(run: () => void): void {
    try {
      run();
    } catch (error) {
      if (!(error instanceof SioProtocolError)) throw error;
      this.violation(error.message);
    }
  }

  private subscribe(p: JsonObject, ack: Ack): void {
    const topic = topicOf(p);
    const afterSeq = seqOf(p, 'afterSeq');
    if (this.subs.has(topic)) {
      const message = `topic ${topic}: expected one subscription per connection, got a second`;
      return void ack(refusal('ALREADY_EXISTS', message));
    }
    if (this.subs.size >= this.limits.maxSubscriptionsPerConnection) {
      const max = this.limits.maxSubscriptionsPerConnection;
      ack(refusal('RESOURCE_EXHAUSTED', `subscriptions: expected at most ${max} per connection, got more`));
      return void this.socket.disconnect(true);
    }
    const problem = topicProblem(topic);
    if (problem) return void ack(refusal('INVALID_ARGUMENT', problem));
    // The resume point is read in the same tick as the subscription starts: nothing can slip between.
    const lastSeq = afterSeq ?? this.core.topics.nextSeq(topic) - 1n;
    let sub: Subscription;
    try {
      sub = this.core.topics.subscribe(topic, { afterSeq });
    } catch (error) {
      return void ack(failureOf(error));
    }
    this.subs.set(topic, sub);
    const gap = sub.gap ? { gap: { from: sub.gap[0], to: sub.gap[1] } } : {};
    // The ack goes out before any event of this subscription: the connection keeps the order.
    ack(subscribedJson({ lastSeq, ...gap }));
    void this.pump(topic, sub);
  }

  private unsubscribe(p: JsonObject, ack: Ack): void {
    const topic = topicOf(p);
    const sub = this.subs.get(topic);
    if (!sub)
      return void ack(
        refusal('NOT_FOUND', `topic ${topic}: expected a subscribed topic, got one never subscribed`),
      );
    this.subs.delete(topic);
    sub.close();
    ack({});
  }

  private publish(p: JsonObject, ack: Ack): void {
    const topic = topicOf(p);
    const payload = feedEventOf(p.event, 'event').payload;
    const problem = topicProblem(topic);
    if (problem) return void ack(refusal('INVALID_ARGUMENT', problem));
    try {
      ack({ event: eventObject(this.core.topics.publish(topic, payload)) });
    } catch (error) {
      ack(failureOf(error));
    }
  }

  private echo(message: ChatMessage): void {
    if (!this.chat) this.startChat();
    this.chat?.push(message);
  }

  /** Forwards one subscription's events; a backlog that does not drain in time marks a slow consumer. */
  private async pump(topic: string, sub: Subscription): Promise<void> {
    const { maxBufferedBytes, slowConsumerMs } = this.limits;
    const gone = (): boolean => !this.socket.connected;
    try {
      for await (const event of sub) {
        if (gone()) break;
        this.sendEvent(event);
        if (this.queue.bytes() <= maxBufferedBytes) continue;
        // A stalled reader cannot receive a disconnect packet either: cut the connection.
        if (!(await drainWithin(() => this.queue.bytes(), maxBufferedBytes, slowConsumerMs, gone))) {
          return void cutConnection(this.socket.conn);
        }
      }
    } catch {
      // The hub dropped this subscriber for falling behind (RESOURCE_EXHAUSTED): same remedy.
      cutConnection(this.socket.conn);
    } finally {
      if (this.subs.get(topic) === sub) this.subs.delete(topic);
    }
  }

  private sendEvent(event: FeedEvent): void {
    this.socket.emit(SIO_EVENTS.event, eventObject(event));
  }

  private startChat(): void {
    const input = new AsyncQueue<ChatMessage>();
    this.chat = input;
    void (async () => {
      try {
        for await (const message of this.core.chat(input))
          this.socket.emit(SIO_EVENTS.chat, chatObject(message));
      } catch (error) {
        // A refused message ends this chat pipe; the next chat message starts a new one.
        this.socket.emit(SIO_EVENTS.failure, failureOf(error).error);
      } finally {
        if (this.chat === input) this.chat = undefined;
      }
    })();
  }

  /** A protocol violation: say why (a `failure` event), then disconnect. */
  private violation(message: string): void {
    this.socket.emit(SIO_EVENTS.failure, { code: 'INVALID_ARGUMENT', message } satisfies WireError);
    this.socket.disconnect(true);
  }

  private onIdle(): void {
    if (this.subs.size > 0 || this.chat) return void this.idle.refresh();
    this.socket.disconnect(true);
  }

  private dispose(): void {
    clearTimeout(this.idle);
    this.queue.dispose();
    for (const sub of this.subs.values()) sub.close();
    this.subs.clear();
    this.chat?.end();
    this.chat = undefined;
  }
}

function refusal(code: string, message: string): { error: WireError } {
  return { error: { code, message } };
}

/** A CoreError keeps its code and message; anything else is a bare INTERNAL. */
function failureOf(error: unknown): { error: WireError } {
  if (error instanceof CoreError) return refusal(error.code, error.message);
  return refusal('INTERNAL', 'internal error');
}
