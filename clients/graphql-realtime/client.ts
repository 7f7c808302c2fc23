import type { TransportId } from '../../protocols/types.js';
import {
  CommentSchema,
  type FeedEvent,
  FeedEventSchema,
  PostSchema,
  TopicMessageSchema,
} from '../../schemas/gen/wirebench/v1/feed_pb.js';
import { DOCUMENTS, GRAPHQL_PATH } from '../../services/graphql/documents.js';
import { ClientError } from '../errors.js';
import { decodeMessage, encodeMessage } from '../graphql/codec.js';
import { fromGraphqlErrors } from '../graphql/errors.js';
import { sseEvents } from '../graphql/sse.js';
import { Backoff } from '../realtime/backoff.js';
import { type HttpConnector, httpConnector, readText, unavailable } from '../realtime/http.js';
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
import { GraphqlWsRealtimeClient } from './ws-client.js';

/** A GraphQL response body (or one `next` event's data). */
interface GraphqlResult {
  readonly data?: Record<string, unknown> | null;
  readonly errors?: unknown;
}

/**
 * GraphQL realtime client: the `topic` subscription over server-sent events
 * (GraphQL over SSE, "distinct connections" mode, as graphql-yoga serves it:
 * one POST with `accept: text/event-stream` per subscription, a `next` event
 * per result, `complete` at the end), resumed with `afterSeq` and seeded
 * backoff; publish is the `publish` mutation. No echo: GraphQL has no
 * client-to-server stream. Rides on the HTTP the SSE client uses (h1/h1s
 * with a socket per held stream, h2/h2c multiplexed on one session).
 */
class GraphqlRealtimeClient implements RealtimeClient {
  readonly protocol = 'graphql' as const;
  readonly transport: TransportId;
  readonly encoding = 'json' as const;
  private readonly http: HttpConnector;
  private readonly backoff: Backoff;
  private readonly subs = new SubscriptionSet();

  constructor(options: RealtimeClientOptions) {
    if (options.encoding !== 'json')
      throw new Error(`graphql: expected encoding json, got ${options.encoding}`);
    this.transport = options.transport;
    this.http = httpConnector(options);
    this.backoff = new Backoff(options.reconnect);
  }

  connect(): Promise<void> {
    return this.http.connect();
  }

  subscribe(topic: string, options: SubscribeOptions = {}): RealtimeSubscription {
    return this.subs.openResumable(topic, options, this.backoff, (after, sink, signal) =>
      this.attempt(topic, after, sink, signal),
    );
  }

  async publish(topic: string, payload: EventPayload): Promise<FeedEvent> {
    const variables: Record<string, unknown> = { topic };
    if (payload.case === 'post') variables.post = encodeMessage(PostSchema, payload.value);
    else if (payload.case === 'comment') variables.comment = encodeMessage(CommentSchema, payload.value);
    const reply = await this.http
      .request('POST', GRAPHQL_PATH, {
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ query: DOCUMENTS.publish, variables }),
      })
      .catch((error: unknown) => Promise.reject(unavailable(error)));
    const result = parseResult(await readText(reply.body), `publish ${topic}`);
    if (Array.isArray(result.errors) && result.errors.length > 0) {
      throw fromGraphqlErrors(result.errors, reply.status);
    }
    return decodeMessage(FeedEventSchema, result.data?.publish, 'data.publish');
  }

  connectionCount(): number {
    return this.http.connectionCount();
  }

  async close(): Promise<void> {
    this.subs.closeAll();
    this.http.close();
  }

  /**
   * One subscription request: the first result is `subscribed` (acceptance
   * and resume point), then a `gap` when the resume lost events, then
   * events. GraphQL errors in a result are the server's refusal.
   */
  private async attempt(topic: string, after: bigint | undefined, sink: AttemptSink, signal: AbortSignal) {
    const variables = { topic, afterSeq: after === undefined ? null : String(after) };
    const reply = await this.http.request('POST', GRAPHQL_PATH, {
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ query: DOCUMENTS.subscribe, variables }),
      signal,
    });
    try {
      if (!reply.header('content-type')?.startsWith('text/event-stream')) {
        const result = parseResult(await readText(reply.body), `subscribe ${topic}`);
        throw fromGraphqlErrors(Array.isArray(result.errors) ? result.errors : [], reply.status);
      }
      for await (const event of sseEvents(reply.body)) {
        if (event.event === 'complete') return;
        if (event.event !== 'next') continue;
        const result = parseResult(event.data, `subscribe ${topic}`);
        if (Array.isArray(result.errors) && result.errors.length > 0) {
          throw fromGraphqlErrors(result.errors, reply.status);
        }
        deliverTopicMessage(sink, decodeMessage(TopicMessageSchema, result.data?.topic, 'data.topic'));
      }
    } catch (error) {
      throw unavailable(error, signal);
    } finally {
      reply.destroy();
    }
  }
}

function parseResult(text: string, what: string): GraphqlResult {
  try {
    return JSON.parse(text) as GraphqlResult;
  } catch {
    throw new ClientError('INTERNAL', `graphql ${what}: expected a JSON result, got ${text.slice(0, 80)}`);
  }
}

/**
 * The GraphQL realtime client factory: the carrier `options.graphqlCarrier`
 * names — server-sent events (default) or WebSocket (graphql-ws).
 */
export const createRealtimeClient: CreateRealtimeClient = (options) =>
  options.graphqlCarrier === 'websocket'
    ? new GraphqlWsRealtimeClient(options)
    : new GraphqlRealtimeClient(options);
