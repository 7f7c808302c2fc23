import { fromJson, type JsonValue } from '@bufbuild/protobuf';
import type { WireCounters } from '../../lib/http3/index.js';
import type { TransportId } from '../../protocols/types.js';
import { type FeedEvent, FeedEventSchema } from '../../schemas/gen/wirebench/v1/feed_pb.js';
import { DEFAULT_POLL_TIMEOUT_MS, LAST_SEQ_HEADER } from '../../services/long-poll/poll.js';
import { ClientError } from '../errors.js';
import { Backoff } from '../realtime/backoff.js';
import { type HttpConnector, httpConnector, readText, replyError, unavailable } from '../realtime/http.js';
import { publishOverHttp } from '../realtime/http-publish.js';
import { type AttemptSink, resumableSubscription } from '../realtime/resumable.js';
import { SubscriptionSet } from '../realtime/subscription-set.js';
import type {
  CreateRealtimeClient,
  EventPayload,
  Gap,
  RealtimeClient,
  RealtimeClientOptions,
  RealtimeSubscription,
  SubscribeOptions,
} from '../realtime/types.js';

interface PollResult {
  readonly events: FeedEvent[];
  readonly gap?: Gap;
  /** The cursor for the next poll. */
  readonly cursor: bigint;
}

/**
 * Long-polling client: each subscription loops `GET /poll/{topic}?after=`
 * with the last seq it holds, so resume is inherent — a failed poll is
 * retried (with seeded backoff) from the same cursor. Publishing goes over
 * `POST /publish/{topic}`; no echo (there is no client-to-server stream).
 */
class LongPollClient implements RealtimeClient {
  readonly protocol = 'long-poll' as const;
  readonly transport: TransportId;
  readonly encoding = 'json' as const;
  readonly wireCounters?: () => WireCounters;
  private readonly http: HttpConnector;
  private readonly backoff: Backoff;
  private readonly holdMs: number;
  private readonly subs = new SubscriptionSet();

  constructor(options: RealtimeClientOptions) {
    this.transport = options.transport;
    this.http = httpConnector(options);
    const counters = this.http.wireCounters?.bind(this.http);
    if (counters) this.wireCounters = counters;
    this.backoff = new Backoff(options.reconnect);
    this.holdMs = options.pollTimeoutMs ?? DEFAULT_POLL_TIMEOUT_MS;
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

  /**
   * Without a cursor, a `timeout=0` poll first learns the current one (the
   * server answers at once): from then on nothing published can be missed.
   * Then poll until the signal aborts or a poll fails.
   */
  private async attempt(topic: string, after: bigint | undefined, sink: AttemptSink, signal: AbortSignal) {
    let cursor = after ?? (await this.poll(topic, undefined, 0, signal)).cursor;
    sink.ready(cursor);
    while (!signal.aborted) {
      const result = await this.poll(topic, cursor, this.holdMs, signal);
      if (result.gap) sink.gap(result.gap);
      for (const event of result.events) sink.event(event);
      cursor = result.cursor;
    }
  }

  private async poll(topic: string, after: bigint | undefined, timeoutMs: number, signal: AbortSignal) {
    const query = `${after === undefined ? '' : `after=${after}&`}timeout=${timeoutMs}`;
    const path = `/poll/${encodeURIComponent(topic)}?${query}`;
    const reply = await this.http.request('GET', path, { signal });
    if (reply.status !== 200 && reply.status !== 204) throw await replyError(reply, `poll ${topic}`);
    const header = reply.header(LAST_SEQ_HEADER);
    const text = await readText(reply.body).catch((error: unknown) =>
      Promise.reject(unavailable(error, signal)),
    );
    const result: PollResult =
      reply.status === 204 ? { events: [], cursor: after ?? 0n } : parseBatch(text, after);
    return header && /^\d+$/.test(header) ? { ...result, cursor: BigInt(header) } : result;
  }
}

function parseBatch(text: string, after: bigint | undefined): PollResult {
  try {
    const body = JSON.parse(text) as { events?: JsonValue[]; gap?: { from: string; to: string } };
    const events = (body.events ?? []).map((e) => fromJson(FeedEventSchema, e));
    const gap = body.gap ? { gap: { from: BigInt(body.gap.from), to: BigInt(body.gap.to) } } : {};
    return { events, cursor: events.at(-1)?.seq ?? after ?? 0n, ...gap };
  } catch (error) {
    throw new ClientError('INTERNAL', `poll body: expected {"events":[FeedEvent JSON…]} (${String(error)})`);
  }
}

/** The long-polling realtime client factory. */
export const createRealtimeClient: CreateRealtimeClient = (options) => new LongPollClient(options);
