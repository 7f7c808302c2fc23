import { fromJson, type JsonValue } from '@bufbuild/protobuf';
import type { WireCounters } from '../../lib/http3/index.js';
import type { TransportId } from '../../protocols/types.js';
import { type FeedEvent, FeedEventSchema } from '../../schemas/gen/wirebench/v1/feed_pb.js';
import { ClientError } from '../errors.js';
import { Backoff } from '../realtime/backoff.js';
import { type HttpConnector, httpConnector, replyError, unavailable } from '../realtime/http.js';
import { publishOverHttp } from '../realtime/http-publish.js';
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
import { sseBlocks } from './parser.js';

/**
 * SSE client over node's http/https/http2 and lib/http3 (Node 20 has no
 * EventSource, and @currentspace/http3's Http3EventSource has no backoff
 * seed, gap reports or wire counters). It
 * behaves as EventSource does — reconnects after the server's `retry:` with
 * `Last-Event-ID` — plus seeded exponential backoff, gap reports and no
 * duplicates. Publishing goes over `POST /publish/{topic}`; no echo (SSE has
 * no client-to-server stream).
 */
class SseClient implements RealtimeClient {
  readonly protocol = 'sse' as const;
  readonly transport: TransportId;
  readonly encoding = 'json' as const;
  readonly wireCounters?: () => WireCounters;
  private readonly http: HttpConnector;
  private readonly backoff: Backoff;
  private readonly subs = new SubscriptionSet();

  constructor(options: RealtimeClientOptions) {
    this.transport = options.transport;
    this.http = httpConnector(options);
    const counters = this.http.wireCounters?.bind(this.http);
    if (counters) this.wireCounters = counters;
    this.backoff = new Backoff(options.reconnect);
  }

  connect(): Promise<void> {
    return this.http.connect();
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

  publish(topic: string, payload: EventPayload): Promise<FeedEvent> {
    return publishOverHttp(this.http, topic, payload);
  }

  connectionCount(): number {
    return this.http.connectionCount();
  }

  async close(): Promise<void> {
    this.subs.closeAll();
    this.http.close();
  }

  /** One event stream: the first block sets the resume point, `gap` events report loss, the rest are events. */
  private async attempt(topic: string, after: bigint | undefined, sink: AttemptSink, signal: AbortSignal) {
    const headers: Record<string, string> = { accept: 'text/event-stream' };
    if (after !== undefined) headers['last-event-id'] = String(after);
    const reply = await this.http.request('GET', `/events/${encodeURIComponent(topic)}`, { headers, signal });
    if (reply.status !== 200) throw await replyError(reply, `subscribe ${topic}`);
    try {
      for await (const block of sseBlocks(reply.body)) {
        if (block.retry !== undefined) sink.retryHint(block.retry);
        if (block.event === 'gap') sink.gap(parseGap(block.data));
        else if (block.data !== undefined) sink.event(parseEvent(block.data));
        else if (block.id !== undefined && /^\d+$/.test(block.id)) sink.ready(BigInt(block.id));
      }
    } catch (error) {
      throw unavailable(error, signal);
    } finally {
      reply.destroy();
    }
  }
}

function parseEvent(data: string): FeedEvent {
  try {
    return fromJson(FeedEventSchema, JSON.parse(data) as JsonValue);
  } catch (error) {
    throw new ClientError('INTERNAL', `sse data: expected a FeedEvent in protobuf JSON (${String(error)})`);
  }
}

function parseGap(data: string | undefined): { from: bigint; to: bigint } {
  const gap = JSON.parse(data ?? '{}') as { from?: string; to?: string };
  if (!gap.from || !gap.to) throw new ClientError('INTERNAL', `sse gap: expected {from, to}, got ${data}`);
  return { from: BigInt(gap.from), to: BigInt(gap.to) };
}

/** The SSE realtime client factory. */
export const createRealtimeClient: CreateRealtimeClient = (options) => new SseClient(options);
