import { createRealtimeClient as createConnectRealtimeClient } from '../clients/connect-realtime/index.js';
import { createRealtimeClient as createGraphqlRealtimeClient } from '../clients/graphql-realtime/index.js';
import { createRealtimeClient as createGrpcRealtimeClient } from '../clients/grpc-realtime/index.js';
import { createRealtimeClient as createLongPollClient } from '../clients/long-poll/index.js';
import { createRealtimeClient as createQuicClient } from '../clients/quic/index.js';
import type { CreateRealtimeClient, RealtimeClientOptions } from '../clients/realtime/index.js';
import { createRealtimeClient as createSocketIoClient } from '../clients/socketio/index.js';
import { createRealtimeClient as createSseClient } from '../clients/sse/index.js';
import { createRealtimeClient as createWebSocketClient } from '../clients/websocket/index.js';
import { createRealtimeClient as createWebTransportClient } from '../clients/webtransport/index.js';
import {
  CONNECT_SERVER,
  RPC_REALTIME_TRANSPORTS,
  startRpcRealtime,
} from '../services/connect-common/index.js';
import type { FeedCore } from '../services/core/index.js';
import { GRAPHQL_REALTIME_TRANSPORTS, startGraphqlRealtime } from '../services/graphql/index.js';
import { GRPC_JS_TRANSPORTS, startGrpcJs } from '../services/grpc/index.js';
import { LONG_POLL_TRANSPORTS, startLongPoll } from '../services/long-poll/index.js';
import { QUIC_TRANSPORTS, startQuic } from '../services/quic/index.js';
import type { RealtimeServerHandle, RealtimeStartOptions } from '../services/realtime/index.js';
import { SOCKETIO_TRANSPORTS, startSocketIo } from '../services/socketio/index.js';
import { SSE_TRANSPORTS, startSse } from '../services/sse/index.js';
import { startWebSocket, WEBSOCKET_TRANSPORTS } from '../services/websocket/index.js';
import {
  startWebTransport,
  WEBTRANSPORT_H3_REASON,
  WEBTRANSPORT_TRANSPORTS,
} from '../services/webtransport/index.js';
import type { EncodingId, ProtocolId, TransportId } from './types.js';

/** A transport a push protocol cannot ride on, and why — reported as `skipped` with this reason. */
export interface RealtimeUnsupported {
  readonly transport: TransportId;
  readonly reason: string;
}

/**
 * A named client configuration of a push protocol, measured as a cell of its
 * own and reported as the cell's `variant` (Socket.IO's websocket and polling
 * transports). Every variant runs in every push scenario and test.
 */
export interface RealtimeVariant {
  readonly name: string;
  readonly options: Pick<RealtimeClientOptions, 'socketio' | 'delivery' | 'graphqlCarrier'>;
  /**
   * `false` when the variant may lose events by design (datagram delivery):
   * tests then assert received ⊆ published, in order, every missing seq
   * reported as a gap, instead of exact delivery. Default: reliable.
   */
  readonly reliable?: boolean;
  /**
   * `true` when all subscriptions of one client share one server-side
   * channel (graphql-ws: one WebSocket), so the server's `connections()`
   * counts that channel once, not each subscription. Default: a channel
   * (stream or response) per subscription.
   */
  readonly sharedConnection?: boolean;
  /** Transports of the entry this variant cannot ride on, with the reason (reported as `skipped`). */
  readonly unsupported?: readonly RealtimeUnsupported[];
}

/**
 * What one push protocol offers. The realtime conformance tests, the
 * push scenarios of the bench (`fanout`) and `npm run services` read only
 * this, so none of them names a protocol.
 */
export interface RealtimeEntry {
  readonly id: ProtocolId;
  readonly summary: string;
  /** Transports implemented, in preference order (the first is the default). */
  readonly transports: readonly TransportId[];
  /** Encodings the client can speak; the first is the default. */
  readonly encodings: readonly EncodingId[];
  /** Whether the client has a client-to-server stream (`echo`); without one the reason is here. */
  readonly echo: true | { readonly reason: string };
  /** Transports on which the client has no echo although the protocol has one, with the reason. */
  readonly echoUnsupported?: readonly RealtimeUnsupported[];
  /** How a reconnecting client resumes: the protocol's own mechanism, named for reports. */
  readonly resume: string;
  readonly unsupported: readonly RealtimeUnsupported[];
  /** Client configurations measured apart, each its own cell; none: one cell with the defaults. */
  readonly variants?: readonly RealtimeVariant[];
  /**
   * The most subscribers one load-generator process can hold with this
   * protocol's client, and why; push fleets larger than that run at this
   * size, with the reason in the cell's notes.
   */
  readonly fleetLimit?: { readonly subscribers: number; readonly reason: string };
  readonly start: (core: FeedCore, options: RealtimeStartOptions) => Promise<RealtimeServerHandle>;
  readonly createClient: CreateRealtimeClient;
}

/** For push adapters not yet served over HTTP/3 (SSE and long-polling are, through services/realtime/h3-host.ts). */
const NO_H3 = { transport: 'h3', reason: 'this push adapter has no HTTP/3 server yet' } as const;
const NEEDS_H2 = 'gRPC needs HTTP/2 (trailers, full-duplex streams); HTTP/1.1 cannot carry it';
const GRAPHQL_WS_NEEDS_H1 =
  'graphql-ws rides on ws, which speaks only the HTTP/1.1 Upgrade; WebSocket over HTTP/2 (RFC 8441) is not offered';
const CONNECT_BIDI_NEEDS_H2 =
  'Connect bidi streaming needs HTTP/2: over HTTP/1.1 a request body must end before the response starts';
/**
 * WebTransport and raw QUIC: each subscription's events on its own stream
 * (reliable), or as datagrams (unreliable: a lost one is a gap; an event too
 * large for a datagram still comes on the stream). Subscribe and resume use
 * the stream either way.
 */
const STREAM_PUSH_VARIANTS: readonly RealtimeVariant[] = [
  { name: 'streams', options: { delivery: 'streams' } },
  { name: 'datagrams', options: { delivery: 'datagrams' }, reliable: false },
];

export const REALTIME_REGISTRY: readonly RealtimeEntry[] = [
  {
    id: 'websocket',
    summary: 'WebSocket (ws) on /ws: JSON text frames or binary protobuf frames, by subprotocol',
    transports: WEBSOCKET_TRANSPORTS,
    encodings: ['json', 'proto'],
    echo: true,
    resume: 'subscribe frame with afterSeq',
    unsupported: [
      {
        transport: 'h2',
        reason: 'ws speaks only the HTTP/1.1 Upgrade; WebSocket over HTTP/2 (RFC 8441) is not offered',
      },
      {
        transport: 'h2c',
        reason: 'ws speaks only the HTTP/1.1 Upgrade; WebSocket over HTTP/2 (RFC 8441) is not offered',
      },
      { transport: 'h3', reason: 'WebSocket over HTTP/3 (RFC 9220) has no Node implementation' },
    ],
    start: startWebSocket,
    createClient: createWebSocketClient,
  },
  {
    id: 'sse',
    summary: 'Server-Sent Events (text/event-stream) on /events/{topic}; publish over POST /publish/{topic}',
    transports: SSE_TRANSPORTS,
    encodings: ['json'],
    echo: { reason: 'SSE is one-way (server to client); a chat needs a second channel' },
    resume: 'Last-Event-ID',
    unsupported: [],
    start: startSse,
    createClient: createSseClient,
  },
  {
    id: 'long-poll',
    summary: 'Long-polling on /poll/{topic}?after=SEQ&timeout=MS; publish over POST /publish/{topic}',
    transports: LONG_POLL_TRANSPORTS,
    encodings: ['json'],
    echo: { reason: 'long-polling has no client-to-server stream' },
    resume: 'after= cursor',
    unsupported: [],
    start: startLongPoll,
    createClient: createLongPollClient,
  },
  {
    id: 'socketio',
    summary:
      'Socket.IO (socket.io 4) on /socket.io/: subscribe/publish as events with acks, chat echo; websocket and polling transports measured apart',
    transports: SOCKETIO_TRANSPORTS,
    encodings: ['json'],
    echo: true,
    resume: 'subscribe event with afterSeq (acknowledged)',
    variants: [
      { name: 'websocket', options: { socketio: { transport: 'websocket' } } },
      { name: 'polling', options: { socketio: { transport: 'polling' } } },
    ],
    unsupported: [
      {
        transport: 'h2',
        reason:
          'socket.io-client in Node polls over node:http(s) (HTTP/1.1 only) and its websocket transport needs the HTTP/1.1 Upgrade',
      },
      {
        transport: 'h2c',
        reason:
          'socket.io-client in Node polls over node:http(s) (HTTP/1.1 only) and its websocket transport needs the HTTP/1.1 Upgrade',
      },
      {
        transport: 'h3',
        reason: 'engine.io has no HTTP/3 server; its WebTransport transport is not in this adapter',
      },
    ],
    start: startSocketIo,
    createClient: createSocketIoClient,
  },
  {
    id: 'grpc',
    summary:
      'gRPC (grpc-js): TopicService.Subscribe server streams resumed with after_seq, unary Publish, FeedService.Chat bidi echo',
    transports: GRPC_JS_TRANSPORTS,
    encodings: ['proto'],
    echo: true,
    resume: 'Subscribe with after_seq',
    unsupported: [
      { transport: 'h1', reason: NEEDS_H2 },
      { transport: 'h1s', reason: NEEDS_H2 },
      {
        transport: 'h3',
        reason:
          'the gRPC push adapter rides on grpc-js, which has no HTTP/3 (request/response gRPC over h3 uses connect-es)',
      },
    ],
    start: startGrpcJs,
    createClient: createGrpcRealtimeClient,
  },
  {
    id: 'connect',
    summary:
      'Connect protocol (connect-es): TopicService.Subscribe server streams resumed with after_seq, unary Publish, Chat echo on HTTP/2',
    transports: RPC_REALTIME_TRANSPORTS,
    encodings: ['json', 'proto'],
    echo: true,
    echoUnsupported: [
      { transport: 'h1', reason: CONNECT_BIDI_NEEDS_H2 },
      { transport: 'h1s', reason: CONNECT_BIDI_NEEDS_H2 },
    ],
    resume: 'Subscribe with after_seq',
    unsupported: [NO_H3],
    start: (core, options) => startRpcRealtime(core, options, CONNECT_SERVER),
    createClient: createConnectRealtimeClient,
  },
  {
    id: 'graphql',
    summary:
      'GraphQL subscriptions (graphql-yoga): the topic subscription over SSE (distinct connections) or WebSocket (graphql-ws, graphql-transport-ws), resumed with afterSeq; publish mutation',
    transports: GRAPHQL_REALTIME_TRANSPORTS,
    encodings: ['json'],
    echo: { reason: 'GraphQL has no client-to-server stream; a chat would be a mutation per message' },
    resume: 'topic subscription with afterSeq',
    unsupported: [NO_H3],
    variants: [
      { name: 'sse', options: { graphqlCarrier: 'sse' } },
      {
        name: 'websocket',
        options: { graphqlCarrier: 'websocket' },
        sharedConnection: true,
        unsupported: [
          { transport: 'h2', reason: GRAPHQL_WS_NEEDS_H1 },
          { transport: 'h2c', reason: GRAPHQL_WS_NEEDS_H1 },
          { transport: 'h3', reason: 'WebSocket over HTTP/3 (RFC 9220) has no Node implementation' },
        ],
      },
    ],
    start: startGraphqlRealtime,
    createClient: createGraphqlRealtimeClient,
  },
  {
    id: 'webtransport',
    summary:
      'WebTransport over HTTP/2 (@fails-components/webtransport) on /wt: one session per client, each subscription on its own bidi stream, length-prefixed protobuf frames; events on that stream or as datagrams (capsules), measured apart',
    transports: WEBTRANSPORT_TRANSPORTS,
    encodings: ['proto'],
    echo: true,
    resume: 'subscribe frame with afterSeq on a new stream',
    variants: STREAM_PUSH_VARIANTS,
    unsupported: [
      {
        transport: 'h2c',
        reason: 'WebTransport requires TLS; the package serves HTTP/2 over TLS only (no cleartext HTTP/2)',
      },
      { transport: 'h3', reason: WEBTRANSPORT_H3_REASON },
    ],
    start: startWebTransport,
    createClient: createWebTransportClient,
  },
  {
    id: 'quic',
    summary:
      'raw QUIC, no HTTP (@currentspace/http3 QUIC API, ALPN wirebench-push): one connection per client, each subscription on its own bidi stream, length-prefixed protobuf frames; events on that stream or as QUIC DATAGRAM frames, measured apart; labelled h3 for its QUIC + TLS 1.3 layers',
    transports: QUIC_TRANSPORTS,
    encodings: ['proto'],
    echo: true,
    resume: 'subscribe frame with afterSeq on a new stream',
    variants: STREAM_PUSH_VARIANTS,
    unsupported: (['h1', 'h1s', 'h2', 'h2c'] as const).map((transport) => ({
      transport,
      reason: 'raw QUIC runs over UDP only; the TCP transports have no raw-QUIC equivalent',
    })),
    fleetLimit: {
      subscribers: 1_000,
      reason:
        '@currentspace/http3 gives every client connection its own native worker (a thread and ~1.2 MB): 10,000 took over 12 GB here, and at ~2,900 the saturated process lost its publisher session',
    },
    start: startQuic,
    createClient: createQuicClient,
  },
];

/** Why the client of `entry` has no `echo` over `transport`, or undefined when it has one. */
export function realtimeEchoReason(entry: RealtimeEntry, transport: TransportId): string | undefined {
  if (entry.echo !== true) return entry.echo.reason;
  return entry.echoUnsupported?.find((u) => u.transport === transport)?.reason;
}

/** The realtime entry for a protocol, or undefined when it has no push adapter. */
export function findRealtime(id: ProtocolId): RealtimeEntry | undefined {
  return REALTIME_REGISTRY.find((entry) => entry.id === id);
}

/** Why `entry` cannot run over `transport` (or with `encoding`), or undefined when it can. */
export function realtimeUnsupportedReason(
  entry: RealtimeEntry,
  transport: TransportId,
  encoding?: EncodingId,
): string | undefined {
  const listed = entry.unsupported.find((u) => u.transport === transport);
  if (listed) return listed.reason;
  if (!entry.transports.includes(transport)) {
    return `${entry.id} over ${transport}: expected one of ${entry.transports.join(', ')}`;
  }
  if (encoding && !entry.encodings.includes(encoding)) {
    return `${entry.id}: expected encoding ${entry.encodings.join(' or ')}, got ${encoding}`;
  }
  return undefined;
}
