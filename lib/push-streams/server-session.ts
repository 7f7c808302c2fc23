import type { ChatMessage } from '../../schemas/gen/wirebench/v1/feed_pb.js';
import { CoreError, type FeedCore, type Subscription } from '../../services/core/index.js';
import { AsyncQueue } from '../../services/realtime/async-queue.js';
import { drainWithin, MAX_TOPIC_LENGTH } from '../../services/realtime/http-util.js';
import type { RealtimeLimits } from '../../services/realtime/types.js';
import type { ClientFrame, Frame } from '../../services/websocket/frame-types.js';
import { FrameError } from '../../services/websocket/frame-types.js';
import { asClientFrame } from '../../services/websocket/frames.js';
import { CLOSE } from './codes.js';
import { DatagramFlow } from './datagram-flow.js';
import { encodeStreamFrame, FrameReader, FrameTooLarge, type PushFrame } from './frames.js';
import type { PushServerConnection, PushStream } from './types.js';

/**
 * One client session of a stream push protocol (WebTransport, raw QUIC).
 * Each stream the client opens has one role, fixed by its first frame:
 *
 * - `subscribe` → a subscription stream: `subscribed`, then `event` frames;
 *   the client ending or resetting the stream unsubscribes. One stream per
 *   subscription, so a slow topic never holds up another (no head-of-line
 *   blocking between topics, which is what these transports offer). With
 *   `delivery: 'datagrams'` the subscribe `id` is the flow id (the client
 *   picks it, so it can route datagrams that overtake the reply; unique among
 *   the session's live flows), the reply repeats it as `flow`, and the events
 *   go as datagrams of that flow (datagrams.ts) — only one the transport will
 *   not take as a datagram still comes on the stream;
 * - `publish` → a request stream: any number of `publish` frames, each
 *   answered by `published` or `error` with the same id;
 * - `echo` → a chat stream: every message echoed back in order; the client's
 *   FIN ends it after the last echo.
 *
 * Limits (see codes.ts for the numbers): a frame over `maxPayloadBytes`
 * closes the session with 1009, an undecodable frame or a stream starting
 * with a server frame with 1007, more than `maxSubscriptionsPerConnection`
 * subscriptions with 1008 (after an error frame), a subscriber that does not
 * drain within `slowConsumerMs` with 1013, a session with no stream for
 * `idleTimeoutMs` with 1000. Every end runs `dispose`, which closes the hub
 * subscriptions, so nothing outlives the session.
 */
export class PushServerSession {
  private readonly subs = new Map<
    string,
    { readonly sub: Subscription; readonly stream: PushStream; readonly flow?: number }
  >();
  private readonly idle: NodeJS.Timeout;
  private activeStreams = 0;
  private ended = false;

  constructor(
    readonly connection: PushServerConnection,
    private readonly core: FeedCore,
    private readonly limits: RealtimeLimits,
  ) {
    this.idle = setTimeout(() => this.onIdle(), limits.idleTimeoutMs);
    void connection.closed.then(() => this.dispose());
    void this.accept();
  }

  /** Ends the session with `code`; the client sees it as the close code. */
  close(code: number, reason: string): void {
    if (this.ended) return;
    this.connection.close(code, reason);
    this.dispose();
  }

  private async accept(): Promise<void> {
    try {
      for await (const stream of this.connection.streams) {
        if (this.ended) return stream.reset(0);
        this.idle.refresh();
        this.activeStreams++;
        void this.serve(stream).finally(() => {
          this.activeStreams--;
          this.idle.refresh();
        });
      }
    } catch {
      // The session is gone; `closed` runs dispose.
    }
  }

  /** Reads one stream's frames; the first decides the stream's role. */
  private async serve(stream: PushStream): Promise<void> {
    const reader = new FrameReader(this.limits.maxPayloadBytes);
    let role: StreamRole | undefined;
    try {
      for await (const chunk of stream.chunks) {
        for (const frame of reader.push(chunk)) {
          if (frame.type === 'sent') throw new FrameError('frame type: expected a client frame, got sent');
          if (frame.type === 'closing') {
            if (role)
              throw new FrameError(
                'closing: expected it alone on a stream of its own, got it after other frames',
              );
            return this.onClosing(stream);
          }
          const request = asClientFrame(frame);
          if (role) {
            role.onFrame(request);
            continue;
          }
          role = this.roleFor(request, stream);
          // A refused first frame: the stream was answered and ended.
          if (!role) return;
        }
      }
      role?.onEnd();
    } catch (error) {
      role?.onEnd();
      if (error instanceof FrameTooLarge) return this.violation(stream, CLOSE.tooBig, error.message);
      if (error instanceof FrameError) return this.violation(stream, CLOSE.invalidFrame, error.message);
      // A reset or a lost session: nothing to answer.
    }
  }

  /**
   * The client announced its normal close (frames.ts `closing`): free every
   * subscription now and end the stream to say so. The transport close is
   * the client's (`release`): a close from here could overtake the FIN.
   */
  private onClosing(stream: PushStream): void {
    stream.end();
    if (this.ended) return;
    if (this.connection.release) {
      this.connection.release(CLOSE.normal, 'client closing');
      this.dispose();
    } else {
      this.close(CLOSE.normal, 'client closing');
    }
  }

  /** The peer broke the protocol: say why on the stream, then close the session with `code`. */
  private violation(stream: PushStream, code: number, message: string): void {
    send(stream, {
      type: 'error',
      code: code === CLOSE.tooBig ? 'RESOURCE_EXHAUSTED' : 'INVALID_ARGUMENT',
      message,
    });
    this.close(code, message.slice(0, 120));
  }

  private roleFor(first: ClientFrame, stream: PushStream): StreamRole | undefined {
    if (first.type === 'subscribe') return this.subscribe(first, stream);
    const role =
      first.type === 'publish'
        ? this.publisher(stream)
        : first.type === 'echo'
          ? this.chat(stream)
          : undefined;
    if (role) {
      role.onFrame(first);
      return role;
    }
    send(stream, {
      type: 'error',
      ...('id' in first ? { id: first.id } : {}),
      code: 'INVALID_ARGUMENT',
      message: `stream: expected subscribe, publish or echo first, got ${first.type}`,
    });
    stream.end();
    return undefined;
  }

  private subscribe(
    frame: Extract<ClientFrame, { type: 'subscribe' }>,
    stream: PushStream,
  ): StreamRole | undefined {
    const { id, topic, afterSeq, delivery } = frame;
    const refuse = (code: string, message: string): undefined => {
      send(stream, { type: 'error', id, code, message });
      stream.end();
      return undefined;
    };
    // Latest wins: a client holds one subscription per topic, so a second one on the same
    // session means it abandoned the first, whose reset may still be in flight on its own
    // stream (streams are independent; nothing orders the reset before this frame).
    this.subs.get(topic)?.stream.reset(0);
    this.endSubscription(topic);
    if (this.subs.size >= this.limits.maxSubscriptionsPerConnection) {
      const max = this.limits.maxSubscriptionsPerConnection;
      refuse('RESOURCE_EXHAUSTED', `subscriptions: expected at most ${max} per session, got more`);
      this.close(CLOSE.policy, 'too many subscriptions');
      return undefined;
    }
    if (topic.length === 0 || topic.length > MAX_TOPIC_LENGTH) {
      return refuse(
        'INVALID_ARGUMENT',
        `topic: expected 1..${MAX_TOPIC_LENGTH} characters, got ${topic.length}`,
      );
    }
    const datagrams = delivery === 'datagrams' ? this.connection.datagrams : undefined;
    if (delivery === 'datagrams' && !datagrams) {
      return refuse(
        'UNIMPLEMENTED',
        'delivery: expected streams (this transport has no datagrams), got datagrams',
      );
    }
    const flow = datagrams ? id : undefined;
    if (flow !== undefined && [...this.subs.values()].some((s) => s.flow === flow)) {
      return refuse(
        'ALREADY_EXISTS',
        `flow: expected an id no live subscription of this session uses, got ${flow}`,
      );
    }
    // The resume point is read in the same tick as the subscription starts: nothing can slip between.
    const lastSeq = afterSeq ?? this.core.topics.nextSeq(topic) - 1n;
    let sub: Subscription;
    try {
      sub = this.core.topics.subscribe(topic, { afterSeq });
    } catch (error) {
      const known = error instanceof CoreError;
      return refuse(known ? error.code : 'INTERNAL', known ? error.message : 'internal error');
    }
    const entry = { sub, stream, ...(flow === undefined ? {} : { flow }) };
    this.subs.set(topic, entry);
    const gap = sub.gap ? { gap: { from: sub.gap[0], to: sub.gap[1] } } : {};
    // The ack goes first on the stream, so it precedes every event of this subscription on it;
    // datagrams may overtake it, which the client allows for (it registers the flow first).
    send(stream, { type: 'subscribed', id, topic, lastSeq, ...gap, ...(flow === undefined ? {} : { flow }) });
    void this.pump(stream, topic, sub, flow);
    const end = (): void => {
      if (this.subs.get(topic) === entry) this.subs.delete(topic);
      sub.close();
    };
    return {
      // Nothing more is expected from the client on a subscription stream.
      onFrame: (next) =>
        this.violation(
          stream,
          CLOSE.invalidFrame,
          `subscription stream: expected no frame after subscribe, got ${next.type}`,
        ),
      onEnd: end,
    };
  }

  /**
   * Forwards one subscription's events — on the stream, or as datagrams of
   * `flow` (one the transport will not take goes on the stream); a backlog
   * that does not drain in time marks a slow consumer.
   */
  private async pump(stream: PushStream, topic: string, sub: Subscription, flow?: number): Promise<void> {
    const { maxBufferedBytes, slowConsumerMs } = this.limits;
    const datagrams = flow === undefined ? undefined : this.connection.datagrams;
    const out =
      datagrams && new DatagramFlow(datagrams, flow as number, (seq) => send(stream, { type: 'sent', seq }));
    const backlog = (): number => stream.buffered() + (out?.buffered() ?? 0);
    try {
      for await (const event of sub) {
        if (this.ended) break;
        if (!out?.send(event)) stream.send(encodeStreamFrame({ type: 'event', event }));
        if (backlog() <= maxBufferedBytes) continue;
        if (!(await drainWithin(backlog, maxBufferedBytes, slowConsumerMs, () => this.ended))) {
          return this.close(CLOSE.slowConsumer, `slow consumer on ${topic}`.slice(0, 120));
        }
      }
    } catch {
      // The hub dropped this subscriber for falling behind (RESOURCE_EXHAUSTED): same remedy.
      this.close(CLOSE.slowConsumer, `slow consumer on ${topic}`.slice(0, 120));
    } finally {
      out?.close();
      if (this.subs.get(topic)?.sub === sub) this.subs.delete(topic);
    }
  }

  private endSubscription(topic: string): void {
    const entry = this.subs.get(topic);
    if (!entry) return;
    this.subs.delete(topic);
    entry.sub.close();
  }

  private publisher(stream: PushStream): StreamRole {
    return {
      onFrame: (frame) => {
        if (frame.type !== 'publish') {
          return this.violation(
            stream,
            CLOSE.invalidFrame,
            `publish stream: expected publish, got ${frame.type}`,
          );
        }
        let reply: Frame;
        try {
          reply = {
            type: 'published',
            id: frame.id,
            event: this.core.topics.publish(frame.topic, frame.payload),
          };
        } catch (error) {
          const known = error instanceof CoreError;
          reply = {
            type: 'error',
            id: frame.id,
            code: known ? error.code : 'INTERNAL',
            message: known ? error.message : 'internal error',
          };
        }
        send(stream, reply);
      },
      onEnd: () => stream.end(),
    };
  }

  private chat(stream: PushStream): StreamRole {
    const input = new AsyncQueue<ChatMessage>();
    void (async () => {
      try {
        for await (const message of this.core.chat(input)) send(stream, { type: 'echo', message });
        stream.end();
      } catch (error) {
        const known = error instanceof CoreError;
        send(stream, {
          type: 'error',
          code: known ? error.code : 'INTERNAL',
          message: known ? error.message : 'internal error',
        });
        stream.end();
      }
    })();
    return {
      onFrame: (frame) => {
        if (frame.type !== 'echo') {
          input.end();
          return this.violation(stream, CLOSE.invalidFrame, `chat stream: expected echo, got ${frame.type}`);
        }
        input.push(frame.message);
      },
      onEnd: () => input.end(),
    };
  }

  private onIdle(): void {
    if (this.activeStreams > 0 || this.subs.size > 0) return void this.idle.refresh();
    this.close(CLOSE.normal, 'idle timeout');
  }

  private dispose(): void {
    if (this.ended) return;
    this.ended = true;
    clearTimeout(this.idle);
    for (const { sub } of this.subs.values()) sub.close();
    this.subs.clear();
  }
}

/** What a stream does with the frames after its first, and when the client ends it. */
interface StreamRole {
  onFrame(frame: ClientFrame): void;
  onEnd(): void;
}

function send(stream: PushStream, frame: PushFrame): void {
  try {
    stream.send(encodeStreamFrame(frame));
  } catch {
    // The stream is already gone: nobody is left to tell.
  }
}
