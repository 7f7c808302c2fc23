import { ClientError } from '../../clients/errors.js';
import { Backoff } from '../../clients/realtime/backoff.js';
import { type AttemptSink, resumableSubscription } from '../../clients/realtime/resumable.js';
import { SubscriptionSet } from '../../clients/realtime/subscription-set.js';
import type {
  EventPayload,
  RealtimeClient,
  RealtimeClientOptions,
  RealtimeSubscription,
  SubscribeOptions,
} from '../../clients/realtime/types.js';
import type { EncodingId, ProtocolId, TransportId } from '../../protocols/types.js';
import type { ChatMessage, FeedEvent } from '../../schemas/gen/wirebench/v1/feed_pb.js';
import { AsyncQueue } from '../../services/realtime/async-queue.js';
import type { Delivery } from '../../services/websocket/frame-types.js';
import type { WireCounters } from '../http3/index.js';
import { errorOfFrame, lostError, sendFrame, serverFrames, subscriptionFrames } from './client-streams.js';
import { CLOSE } from './codes.js';
import { FlowDemux } from './flow-demux.js';
import { PublishChannel } from './publish-channel.js';
import { type DatagramStats, emptyDatagramStats, Sequencer } from './sequencer.js';
import type { PushClientConnection, PushStream } from './types.js';

/** Opens one session (WebTransport, raw QUIC); the handshake is complete when it resolves. */
export type Dial = () => Promise<PushClientConnection>;

/**
 * The realtime client of the stream push protocols: one session per
 * client, redialled on demand after it is lost; each subscription on its own
 * stream (resumed after its last seq on a new session, with seeded backoff);
 * publishes on one request stream per session; each chat on its own stream.
 * With `delivery: 'datagrams'` a subscription's events come as datagrams
 * (datagrams.ts), put in seq order with losses reported as gaps by a
 * Sequencer. The transport-specific part is only `dial`.
 */
export class StreamPushClient implements RealtimeClient {
  readonly transport: TransportId;
  readonly encoding: EncodingId;
  private readonly backoff: Backoff;
  private readonly subs = new SubscriptionSet();
  private session: PushClientConnection | undefined;
  private dialling: Promise<PushClientConnection> | undefined;
  private publisher: PublishChannel | undefined;
  private readonly chats = new Set<PushStream>();
  private readonly delivery: Delivery;
  private readonly stats: DatagramStats = emptyDatagramStats();
  private readonly demux = new WeakMap<PushClientConnection, FlowDemux>();
  /** Subscribe ids, unique per client: with datagram delivery each is also the subscription's flow id. */
  private nextId = 1;
  /** Sessions opened so far whose transport counts its own bytes (QUIC), closed ones included. */
  private readonly counted: PushClientConnection[] = [];
  private shut = false;

  constructor(
    readonly protocol: ProtocolId,
    options: RealtimeClientOptions,
    private readonly dial: Dial,
  ) {
    this.transport = options.transport;
    this.encoding = options.encoding;
    this.backoff = new Backoff(options.reconnect);
    this.delivery = options.delivery ?? 'streams';
  }

  /**
   * Datagram delivery only: what this client's subscriptions received, lost
   * and dropped as late so far (summed over subscriptions and sessions).
   */
  datagramStats(): DatagramStats {
    return { ...this.stats };
  }

  async connect(): Promise<void> {
    await this.open();
  }

  subscribe(topic: string, options: SubscribeOptions = {}): RealtimeSubscription {
    return this.subs.open(topic, (onEnd) =>
      resumableSubscription(
        topic,
        options,
        this.backoff,
        (after, sink, signal) => this.attempt(topic, after, sink, signal),
        onEnd,
      ),
    );
  }

  async publish(topic: string, payload: EventPayload): Promise<FeedEvent> {
    const session = await this.open();
    if (!this.publisher?.usable(session)) this.publisher = new PublishChannel(session);
    return this.publisher.publish(topic, payload);
  }

  async *echo(messages: AsyncIterable<ChatMessage>): AsyncGenerator<ChatMessage> {
    const session = await this.open();
    const stream = await session.openStream();
    this.chats.add(stream);
    const out = new AsyncQueue<ChatMessage>();
    void session.closed.then((info) => out.fail(lostError('echo', info)));
    void (async () => {
      for await (const message of messages) {
        if (out.ended) return;
        sendFrame(stream, { type: 'echo', message });
      }
      stream.end();
    })().catch((error: unknown) => out.fail(error));
    void (async () => {
      for await (const frame of serverFrames(stream)) {
        if (frame.type === 'echo') out.push(frame.message);
        else return out.fail(errorOfFrame(frame));
      }
      out.end();
    })().catch((error: unknown) =>
      out.fail(error instanceof ClientError ? error : lostError('echo', undefined)),
    );
    try {
      yield* out;
    } finally {
      this.chats.delete(stream);
      if (!out.ended) stream.reset(0);
    }
  }

  /** QUIC: UDP payload bytes over every session this client opened; undefined over TCP. */
  wireCounters(): WireCounters | undefined {
    if (this.counted.length === 0) return undefined;
    let bytesSent = 0;
    let bytesReceived = 0;
    for (const session of this.counted) {
      const c = session.wireCounters?.();
      bytesSent += c?.bytesSent ?? 0;
      bytesReceived += c?.bytesReceived ?? 0;
    }
    return { bytesSent, bytesReceived };
  }

  connectionCount(): number {
    return this.session?.open ? 1 : 0;
  }

  async close(): Promise<void> {
    this.shut = true;
    this.subs.closeAll();
    for (const chat of this.chats) chat.reset(0);
    this.chats.clear();
    const session = await this.dialling?.catch(() => undefined);
    await (session ?? this.session)?.close(CLOSE.normal, 'client closing');
    this.session = undefined;
  }

  /** The open session, dialling first if there is none; concurrent callers share one dial. */
  private open(): Promise<PushClientConnection> {
    if (this.shut)
      return Promise.reject(new ClientError('CANCELLED', `${this.protocol}: the client is closed`));
    if (this.session?.open) return Promise.resolve(this.session);
    this.dialling ??= this.dial()
      .then(async (session) => {
        if (this.shut) {
          await session.close(CLOSE.normal, 'client closing');
          throw new ClientError('CANCELLED', `${this.protocol}: the client closed while connecting`);
        }
        this.session = session;
        if (session.wireCounters) this.counted.push(session);
        if (session.onDatagram) {
          const demux = new FlowDemux(this.stats);
          this.demux.set(session, demux);
          session.onDatagram((bytes) => demux.dispatch(bytes));
        }
        void session.closed.then(() => {
          if (this.session === session) this.session = undefined;
        });
        return session;
      })
      .finally(() => {
        this.dialling = undefined;
      });
    return this.dialling;
  }

  /**
   * One subscription attempt: a stream, the subscribe frame, then events
   * until the stream or the session ends (resolve → the loop resubscribes
   * after the last seq) or the user closes (the stream is reset). With
   * datagram delivery the flow is registered before the subscribe frame
   * leaves, so datagrams that overtake the reply are kept, and every event
   * (datagram or stream) goes through the attempt's Sequencer.
   */
  private async attempt(topic: string, after: bigint | undefined, sink: AttemptSink, signal: AbortSignal) {
    const session = await this.open();
    if (signal.aborted) return;
    const stream = await session.openStream();
    const onAbort = (): void => stream.reset(0);
    signal.addEventListener('abort', onAbort, { once: true });
    const id = this.nextId;
    this.nextId = (this.nextId % 0xffff_ffff) + 1;
    const demux = this.delivery === 'datagrams' ? this.demux.get(session) : undefined;
    const sequencer = demux
      ? new Sequencer(
          (event) => sink.event(event),
          (gap) => sink.gap(gap),
          this.stats,
        )
      : undefined;
    if (sequencer) demux?.open(id, sequencer);
    try {
      sendFrame(stream, {
        type: 'subscribe',
        id,
        topic,
        ...(after === undefined ? {} : { afterSeq: after }),
        ...(sequencer ? { delivery: 'datagrams' as const } : {}),
      });
      let accepted = false;
      for await (const frame of subscriptionFrames(stream)) {
        if (frame.type === 'sent') {
          // A `sent` notice belongs to a datagram subscription only.
          if (!sequencer)
            throw new ClientError(
              'INTERNAL',
              `subscription ${topic}: expected subscribed, event or error (streams delivery), got a sent notice`,
            );
          sequencer.sent(frame.seq);
        } else if (!accepted) {
          if (frame.type !== 'subscribed') throw errorOfFrame(frame);
          if (sequencer && frame.flow !== id) {
            // A server without datagram delivery: another attempt would only repeat it (a final code).
            throw new ClientError(
              'UNIMPLEMENTED',
              `subscribe ${topic}: expected flow ${id} in the reply (datagram delivery), got ${frame.flow ?? 'none'}`,
            );
          }
          accepted = true;
          sink.ready(frame.lastSeq);
          if (frame.gap) sink.gap(frame.gap);
          sequencer?.start(frame.gap && frame.gap.to > frame.lastSeq ? frame.gap.to : frame.lastSeq);
        } else if (frame.type === 'event') {
          if (sequencer) sequencer.accept(frame.event);
          else sink.event(frame.event);
        } else {
          throw errorOfFrame(frame);
        }
      }
    } catch (error) {
      if (error instanceof ClientError) throw error;
      throw lostError(`subscription ${topic}`, undefined);
    } finally {
      signal.removeEventListener('abort', onAbort);
      if (sequencer) {
        demux?.close(id);
        sequencer.close();
      }
    }
  }
}
