import { type Client, createClient, type FormattedExecutionResult, type Sink } from 'graphql-ws';
import WebSocket from 'ws';
import type { TransportId } from '../../protocols/types.js';
import {
  CommentSchema,
  type FeedEvent,
  FeedEventSchema,
  PostSchema,
  TopicMessageSchema,
} from '../../schemas/gen/wirebench/v1/feed_pb.js';
import { DOCUMENTS, GRAPHQL_PATH } from '../../services/graphql/documents.js';
import { ClientError, type ClientErrorCode } from '../errors.js';
import { decodeMessage, encodeMessage } from '../graphql/codec.js';
import { fromGraphqlErrors } from '../graphql/errors.js';
import { Backoff } from '../realtime/backoff.js';
import type { AttemptSink } from '../realtime/resumable.js';
import { SubscriptionSet } from '../realtime/subscription-set.js';
import { deliverTopicMessage } from '../realtime/topic-message.js';
import type {
  EventPayload,
  RealtimeClient,
  RealtimeClientOptions,
  RealtimeSubscription,
  SubscribeOptions,
} from '../realtime/types.js';

/** How long `close()` waits for the server to answer the close frame before cutting the socket. */
const CLOSE_GRACE_MS = 1000;

/**
 * Close codes of a fault another attempt would only repeat (graphql-ws's
 * CloseCode: a message the server could not take, a subscribe before the
 * acknowledgement, a duplicate id, a second init, a refused subprotocol),
 * and `ws`'s 1009 for a message over the server's size limit.
 */
const FINAL_CLOSES: Readonly<Record<number, ClientErrorCode>> = {
  1009: 'RESOURCE_EXHAUSTED',
  4400: 'INVALID_ARGUMENT',
  4401: 'INVALID_ARGUMENT',
  4406: 'UNIMPLEMENTED',
  4409: 'INVALID_ARGUMENT',
  4429: 'INVALID_ARGUMENT',
  4500: 'INTERNAL',
};

/** A GraphQL result or the graphql-ws `error` payload (a list of GraphQL errors). */
type Result = FormattedExecutionResult<Record<string, unknown>, unknown>;

/**
 * GraphQL realtime client over WebSocket: graphql-ws's client (the
 * graphql-transport-ws subprotocol) on the `ws` implementation, one
 * connection carrying every subscription and the `publish` mutation, opened
 * by `connect()` (handshake and `connection_init`/`connection_ack`, never in
 * warm figures) and kept open while the client lives. graphql-ws's own retry
 * is off: a lost connection fails each subscription's attempt and the shared
 * resume loop (clients/realtime/resumable.ts) redials with seeded backoff and
 * subscribes again with `afterSeq` — the same contract as every push client.
 * Rides on h1/h1s only (the HTTP/1.1 Upgrade); the registry says why not h2.
 */
export class GraphqlWsRealtimeClient implements RealtimeClient {
  readonly protocol = 'graphql' as const;
  readonly transport: TransportId;
  readonly encoding = 'json' as const;
  private readonly url: string;
  /** The `ws` WebSocket class graphql-ws constructs sockets with. */
  private readonly socketImpl: unknown;
  private readonly backoff: Backoff;
  private readonly subs = new SubscriptionSet();
  private client: Client | undefined;
  /** The non-lazy connection loop of `client` gave up (a failed dial or a lost connection). */
  private dialEnded = false;
  private socket: WebSocket | undefined;
  private shut = false;

  constructor(options: RealtimeClientOptions) {
    if (options.encoding !== 'json')
      throw new Error(`graphql: expected encoding json, got ${options.encoding}`);
    this.transport = options.transport;
    this.url = `${options.url.replace(/^http/, 'ws')}${GRAPHQL_PATH}`;
    this.backoff = new Backoff(options.reconnect);
    const ca = options.caPem;
    // graphql-ws constructs the socket itself: the run's CA (never "accept anything") and no compression.
    this.socketImpl = class extends WebSocket {
      constructor(address: string, protocols?: string | string[]) {
        super(address, protocols, { perMessageDeflate: false, ...(ca ? { ca } : {}) });
      }
    };
  }

  async connect(): Promise<void> {
    if (this.shut) throw new ClientError('CANCELLED', 'graphql-ws: the client is closed');
    if (this.socket?.readyState === WebSocket.OPEN) return;
    if (this.dialEnded) this.replaceClient();
    const client = this.ensureClient();
    await new Promise<void>((resolve, reject) => {
      const offs = [
        client.on('connected', () => done()),
        client.on('closed', (event) => done(closeError(event, 'graphql-ws connect'))),
      ];
      const done = (error?: ClientError): void => {
        for (const off of offs) off();
        if (error) reject(error);
        else resolve();
      };
    });
  }

  subscribe(topic: string, options: SubscribeOptions = {}): RealtimeSubscription {
    return this.subs.openResumable(topic, options, this.backoff, (after, sink, signal) =>
      this.attempt(topic, after, sink, signal),
    );
  }

  async publish(topic: string, payload: EventPayload): Promise<FeedEvent> {
    if (this.shut) throw new ClientError('CANCELLED', `graphql-ws publish ${topic}: the client is closed`);
    const variables: Record<string, unknown> = { topic };
    if (payload.case === 'post') variables.post = encodeMessage(PostSchema, payload.value);
    else if (payload.case === 'comment') variables.comment = encodeMessage(CommentSchema, payload.value);
    const result = await new Promise<Result>((resolve, reject) => {
      let got: Result | undefined;
      this.ensureClient().subscribe<Record<string, unknown>>(
        { query: DOCUMENTS.publish, variables },
        {
          next: (value) => {
            got = value;
          },
          error: (error) => reject(carrierError(error, `publish ${topic}`)),
          complete: () =>
            got
              ? resolve(got)
              : reject(
                  new ClientError('INTERNAL', `graphql-ws publish ${topic}: expected a result, got none`),
                ),
        },
      );
    });
    if (result.errors?.length) throw fromGraphqlErrors(result.errors, 200);
    return decodeMessage(FeedEventSchema, result.data?.publish, 'data.publish');
  }

  connectionCount(): number {
    return this.socket && this.socket.readyState !== WebSocket.CLOSED ? 1 : 0;
  }

  async close(): Promise<void> {
    this.shut = true;
    this.subs.closeAll();
    const socket = this.socket;
    await Promise.resolve(this.client?.dispose()).catch(() => {});
    if (!socket || socket.readyState === WebSocket.CLOSED) return;
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    const timer = setTimeout(() => socket.terminate(), CLOSE_GRACE_MS);
    await closed;
    clearTimeout(timer);
  }

  /**
   * One subscription on the shared connection: the first result is
   * `subscribed` (acceptance and resume point), a `gap` next when the resume
   * lost events, then events. Settles when the server completes it, the
   * connection is lost (rejects), or the user closes (`signal`).
   */
  private attempt(topic: string, after: bigint | undefined, sink: AttemptSink, signal: AbortSignal) {
    if (this.shut) return Promise.resolve();
    const variables = { topic, afterSeq: after === undefined ? null : String(after) };
    return new Promise<void>((resolve, reject) => {
      let dispose = (): void => {};
      const stop = (): void => {
        signal.removeEventListener('abort', onAbort);
        dispose();
      };
      const onAbort = (): void => {
        stop();
        resolve();
      };
      const fail = (error: ClientError): void => {
        stop();
        reject(error);
      };
      const on: Sink<Result> = {
        next: (result) => {
          if (result.errors?.length) return fail(fromGraphqlErrors(result.errors, 200));
          try {
            deliverTopicMessage(sink, decodeMessage(TopicMessageSchema, result.data?.topic, 'data.topic'));
          } catch (error) {
            fail(carrierError(error, `subscribe ${topic}`));
          }
        },
        // A lost connection is never this subscription's own fault (another operation's oversize message
        // may have closed it): UNAVAILABLE, so the resume loop redials; a refusal of it stays final.
        error: (error) =>
          fail(
            isCloseEvent(error)
              ? new ClientError(
                  'UNAVAILABLE',
                  closeError(error, `graphql-ws subscribe ${topic}`).message,
                  error.code,
                )
              : carrierError(error, `subscribe ${topic}`),
          ),
        complete: () => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      if (signal.aborted) return resolve();
      signal.addEventListener('abort', onAbort, { once: true });
      dispose = this.ensureClient().subscribe({ query: DOCUMENTS.subscribe, variables }, on);
    });
  }

  /** graphql-ws's client, created on first use: non-lazy (the connection opens now and stays open). */
  private ensureClient(): Client {
    if (this.client) return this.client;
    this.dialEnded = false;
    const client = createClient({
      url: this.url,
      webSocketImpl: this.socketImpl,
      lazy: false,
      // Reconnection is the resume loop's (seeded backoff, afterSeq); graphql-ws's own would resubscribe blind.
      retryAttempts: 0,
      // Errors reach every operation through its sink; the connection loop has nothing to add.
      onNonLazyError: () => {
        if (this.client === client) this.dialEnded = true;
      },
      on: {
        opened: (socket) => {
          if (this.client === client) this.socket = socket as WebSocket;
        },
      },
    });
    this.client = client;
    return client;
  }

  /** A fresh graphql-ws client after the previous one's connection loop ended; the old one is let go. */
  private replaceClient(): void {
    const old = this.client;
    this.client = undefined;
    void Promise.resolve(old?.dispose()).catch(() => {});
  }
}

/** A graphql-ws sink error (a list of GraphQL errors, a close event, an Error) as a ClientError. */
function carrierError(error: unknown, what: string): ClientError {
  if (error instanceof ClientError) return error;
  if (Array.isArray(error)) return fromGraphqlErrors(error, 200);
  if (isCloseEvent(error)) return closeError(error, `graphql-ws ${what}`);
  const message = error instanceof Error ? error.message : String(error);
  return new ClientError('UNAVAILABLE', `graphql-ws ${what}: connection: ${message}`);
}

function closeError(event: unknown, what: string): ClientError {
  const { code, reason } = isCloseEvent(event) ? event : { code: 1006, reason: '' };
  const final = FINAL_CLOSES[code];
  const message = `${what}: expected an open connection, got close ${code}${reason ? ` "${reason}"` : ''}`;
  return new ClientError(final ?? 'UNAVAILABLE', message, code);
}

function isCloseEvent(value: unknown): value is { code: number; reason: string } {
  return typeof value === 'object' && value !== null && 'code' in value && typeof value.code === 'number';
}
