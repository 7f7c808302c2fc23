import { createRealtimeClient as createGrpcRealtimeClient } from '../clients/grpc-realtime/index.js';
import { createRealtimeClient as createLongPollClient } from '../clients/long-poll/index.js';
import type { CreateRealtimeClient } from '../clients/realtime/index.js';
import { createRealtimeClient as createSseClient } from '../clients/sse/index.js';
import { createRealtimeClient as createWebSocketClient } from '../clients/websocket/index.js';
import type { FeedCore } from '../services/core/index.js';
import { GRPC_JS_TRANSPORTS, startGrpcJs } from '../services/grpc/index.js';
import { LONG_POLL_TRANSPORTS, startLongPoll } from '../services/long-poll/index.js';
import type { RealtimeServerHandle, RealtimeStartOptions } from '../services/realtime/index.js';
import { SSE_TRANSPORTS, startSse } from '../services/sse/index.js';
import { startWebSocket, WEBSOCKET_TRANSPORTS } from '../services/websocket/index.js';
import type { EncodingId, ProtocolId, TransportId } from './types.js';

/** A transport a push protocol cannot ride on, and why — reported as `skipped` with this reason. */
export interface RealtimeUnsupported {
  readonly transport: TransportId;
  readonly reason: string;
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
  readonly start: (core: FeedCore, options: RealtimeStartOptions) => Promise<RealtimeServerHandle>;
  readonly createClient: CreateRealtimeClient;
}

const NO_H3 = { transport: 'h3', reason: 'no HTTP/3 server for the realtime adapters yet' } as const;
const NEEDS_H2 = 'gRPC needs HTTP/2 (trailers, full-duplex streams); HTTP/1.1 cannot carry it';

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
    unsupported: [NO_H3],
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
    unsupported: [NO_H3],
    start: startLongPoll,
    createClient: createLongPollClient,
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
