import type { WebSocket } from 'ws';
import type { EncodingId } from '../../protocols/types.js';
import type { ChatMessage, FeedEvent } from '../../schemas/gen/wirebench/v1/feed_pb.js';
import { CoreError, type FeedCore, type Subscription } from '../core/index.js';
import { AsyncQueue } from '../realtime/async-queue.js';
import { drainWithin, MAX_TOPIC_LENGTH } from '../realtime/http-util.js';
import type { RealtimeLimits } from '../realtime/types.js';
import type { ClientFrame, Frame } from './frame-types.js';
import { asClientFrame, decodeFrame, encodeFrame } from './frames.js';

const jsonEventCache = new WeakMap<FeedEvent, Buffer>();

/**
 * One WebSocket connection: its subscriptions, its chat pipe and its limits.
 * Every way a connection can end — client close, network loss, a protocol
 * violation, a slow consumer, idleness, server shutdown — ends in `dispose`,
 * which closes the hub subscriptions, so nothing outlives the socket.
 */
export class WsSession {
  private readonly subs = new Map<string, Subscription>();
  private readonly idle: NodeJS.Timeout;
  private chat: AsyncQueue<ChatMessage> | undefined;
  private alive = true;

  constructor(
    readonly ws: WebSocket,
    private readonly core: FeedCore,
    private readonly limits: RealtimeLimits,
    private readonly encoding: EncodingId,
  ) {
    ws.on('message', (data, isBinary) => this.onMessage(data as Buffer, isBinary));
    ws.on('pong', () => {
      this.alive = true;
    });
    // ws has already closed with 1002 / 1007 / 1009 by then; the error only says why.
    ws.on('error', () => {});
    ws.once('close', () => this.dispose());
    this.idle = setTimeout(() => this.onIdle(), limits.idleTimeoutMs);
  }

  /** Called every heartbeat interval: a peer that did not answer the previous ping is gone. */
  heartbeat(): void {
    if (!this.alive) return void this.ws.terminate();
    this.alive = false;
    this.ws.ping();
  }

  private onMessage(data: Buffer, isBinary: boolean): void {
    this.idle.refresh();
    this.alive = true;
    let frame: ClientFrame;
    try {
      frame = asClientFrame(decodeFrame(data, isBinary));
    } catch (error) {
      // Undecodable data breaks the protocol: say why, then close with 1007 (invalid payload data).
      this.send({ type: 'error', code: 'INVALID_ARGUMENT', message: String((error as Error).message) });
      return void this.ws.close(1007, 'invalid frame');
    }
    if (frame.type === 'subscribe') this.subscribe(frame.id, frame.topic, frame.afterSeq);
    else if (frame.type === 'unsubscribe') this.unsubscribe(frame.id, frame.topic);
    else if (frame.type === 'publish') this.publish(frame.id, frame.topic, frame.payload);
    else this.echo(frame.message);
  }

  private unsubscribe(id: number, topic: string): void {
    const sub = this.subs.get(topic);
    if (!sub) {
      this.fail(id, 'NOT_FOUND', `topic ${topic}: expected a subscribed topic, got one never subscribed`);
      return;
    }
    this.subs.delete(topic);
    sub.close();
    this.send({ type: 'unsubscribed', id, topic });
  }

  private publish(id: number, topic: string, payload: FeedEvent['payload']): void {
    try {
      this.send({ type: 'published', id, event: this.core.topics.publish(topic, payload) });
    } catch (error) {
      this.fail(id, error);
    }
  }

  private echo(message: ChatMessage): void {
    if (!this.chat) this.startChat();
    this.chat?.push(message);
  }

  private subscribe(id: number, topic: string, afterSeq: bigint | undefined): void {
    if (this.subs.has(topic)) {
      this.fail(
        id,
        'ALREADY_EXISTS',
        `topic ${topic}: expected one subscription per connection, got a second`,
      );
      return;
    }
    if (this.subs.size >= this.limits.maxSubscriptionsPerConnection) {
      const max = this.limits.maxSubscriptionsPerConnection;
      this.fail(id, 'RESOURCE_EXHAUSTED', `subscriptions: expected at most ${max} per connection, got more`);
      return void this.ws.close(1008, 'too many subscriptions');
    }
    if (topic.length > MAX_TOPIC_LENGTH) {
      this.fail(
        id,
        'INVALID_ARGUMENT',
        `topic: expected 1..${MAX_TOPIC_LENGTH} characters, got ${topic.length}`,
      );
      return;
    }
    // The resume point is read in the same tick as the subscription starts: nothing can slip between.
    const lastSeq = afterSeq ?? this.core.topics.nextSeq(topic) - 1n;
    let sub: Subscription;
    try {
      sub = this.core.topics.subscribe(topic, { afterSeq });
    } catch (error) {
      this.fail(id, error);
      return;
    }
    this.subs.set(topic, sub);
    const gap = sub.gap ? { gap: { from: sub.gap[0], to: sub.gap[1] } } : {};
    // The ack goes out before any event of this subscription: the socket keeps the order.
    this.send({ type: 'subscribed', id, topic, lastSeq, ...gap });
    void this.pump(topic, sub);
  }

  /** Forwards one subscription's events; a backlog that does not drain in time marks a slow consumer. */
  private async pump(topic: string, sub: Subscription): Promise<void> {
    try {
      for await (const event of sub) {
        if (this.ws.readyState !== this.ws.OPEN) break;
        this.sendEvent(event);
        const { maxBufferedBytes, slowConsumerMs } = this.limits;
        if (this.ws.bufferedAmount <= maxBufferedBytes) continue;
        const open = (): boolean => this.ws.readyState === this.ws.OPEN;
        // A stalled reader cannot receive a close frame either: cut the TCP connection.
        if (
          !(await drainWithin(
            () => this.ws.bufferedAmount,
            maxBufferedBytes,
            slowConsumerMs,
            () => !open(),
          ))
        ) {
          return void this.ws.terminate();
        }
      }
    } catch {
      // The hub dropped this subscriber for falling behind (RESOURCE_EXHAUSTED): same remedy.
      this.ws.terminate();
    } finally {
      if (this.subs.get(topic) === sub) this.subs.delete(topic);
    }
  }

  private startChat(): void {
    const input = new AsyncQueue<ChatMessage>();
    this.chat = input;
    void (async () => {
      try {
        for await (const message of this.core.chat(input)) this.send({ type: 'echo', message });
      } catch (error) {
        // A refused message ends this chat pipe; the next echo starts a new one.
        this.fail(undefined, error);
      } finally {
        if (this.chat === input) this.chat = undefined;
      }
    })();
  }

  private onIdle(): void {
    if (this.subs.size > 0 || this.chat) return void this.idle.refresh();
    this.ws.close(1000, 'idle timeout');
  }

  private dispose(): void {
    clearTimeout(this.idle);
    for (const sub of this.subs.values()) sub.close();
    this.subs.clear();
    this.chat?.end();
    this.chat = undefined;
  }

  private sendEvent(event: FeedEvent): void {
    if (this.encoding === 'proto') {
      this.ws.send(encodeFrame({ type: 'event', event }, 'proto'));
      return;
    }
    let text = jsonEventCache.get(event);
    if (!text) {
      text = Buffer.from(encodeFrame({ type: 'event', event }, 'json'));
      jsonEventCache.set(event, text);
    }
    this.ws.send(text, { binary: false });
  }

  private send(frame: Frame): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    const data = encodeFrame(frame, this.encoding);
    this.ws.send(data, { binary: typeof data !== 'string' });
  }

  /** Sends an error frame: a CoreError keeps its code and message; anything else is a bare INTERNAL. */
  private fail(id: number | undefined, error: unknown, message?: string): void {
    const withId = id === undefined ? {} : { id };
    if (typeof error === 'string') {
      this.send({ type: 'error', ...withId, code: error, message: message ?? '' });
      return;
    }
    const known = error instanceof CoreError;
    this.send({
      type: 'error',
      ...withId,
      code: known ? error.code : 'INTERNAL',
      message: known ? error.message : 'internal error',
    });
  }
}
